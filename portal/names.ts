/** Word lists for the demo portal's invented owners and addresses (rural Nebraska flavour). */

/** Counties the demo portal serves, with towns for situs addresses. */
export const COUNTY_TOWNS: Readonly<Record<string, readonly string[]>> = {
  LINCOLN: ['NORTH PLATTE', 'HERSHEY', 'SUTHERLAND', 'MAXWELL', 'BRADY', 'WALLACE'],
  CUSTER: ['BROKEN BOW', 'ANSLEY', 'CALLAWAY', 'ARNOLD', 'MERNA', 'SARGENT'],
  CHERRY: ['VALENTINE', 'CODY', 'MERRIMAN', 'KILGORE', 'WOOD LAKE'],
  KEITH: ['OGALLALA', 'PAXTON', 'BRULE', 'KEYSTONE'],
  LOGAN: ['STAPLETON', 'GANDY'],
  DAWSON: ['LEXINGTON', 'COZAD', 'GOTHENBURG', 'OVERTON'],
  FRONTIER: ['CURTIS', 'EUSTIS', 'MAYWOOD', 'STOCKVILLE'],
  PERKINS: ['GRANT', 'MADRID', 'VENANGO', 'ELSIE'],
};

export const COUNTIES: readonly string[] = Object.keys(COUNTY_TOWNS);

export const SURNAMES: readonly string[] = [
  'ANDERSON', 'JOHNSON', 'PETERSON', 'NELSON', 'MILLER', 'SCHMIDT', 'HANSEN', 'OLSON', 'LARSEN',
  'WAGNER', 'BECKER', 'MEYER', 'HOFFMAN', 'KRAUSE', 'FISCHER', 'WEBER', 'HERNANDEZ', 'GARCIA',
  'MARTINEZ', 'LOPEZ', "O'CONNOR", 'MCCARTHY', 'SULLIVAN', 'BRENNAN', 'DOYLE', 'KELLY', 'WALSH',
  'YOUNG', 'KING', 'WRIGHT', 'HILL', 'SCOTT', 'GREEN', 'BAKER', 'ADAMS', 'CARLSON', 'SWANSON',
  'LUND', 'BERG', 'DVORAK', 'NOVAK', 'HORAK', 'KUCERA', 'VOSS', 'BRANDT', 'ENGEL', 'FRANZEN',
  'JUNGE', 'LEMKE', 'PFEIFER', 'RASMUSSEN', 'SORENSEN', 'THOMSEN', 'WITT', 'ZIMMERMAN',
];

export const FIRST_NAMES: readonly string[] = [
  'JOHN', 'MARY', 'ROBERT', 'LINDA', 'JAMES', 'PATRICIA', 'WILLIAM', 'BARBARA', 'DALE', 'DARLENE',
  'WAYNE', 'JUDY', 'GARY', 'CAROL', 'DEAN', 'JOYCE', 'LARRY', 'SHIRLEY', 'ROGER', 'DONNA', 'MARIA',
  'JOSE', 'KEITH', 'ELAINE', 'VERNON', 'LORETTA', 'MARVIN', 'BONNIE', 'DUANE', 'MARILYN',
];

export const BRANDS: readonly string[] = [
  'LAZY', 'CIRCLE', 'ROCKING', 'BAR', 'DIAMOND', 'TRIPLE', 'CROSS', 'FLYING', 'BROKEN', 'RUNNING',
];

export const STREETS: readonly string[] = [
  'MAIN', 'ELM', 'OAK', 'CEDAR', 'WILLOW', 'PRAIRIE', 'SANDHILLS', 'PLATTE', 'DISMAL RIVER', 'LOUP',
];

export const QUARTERS: readonly string[] = ['NE1/4', 'NW1/4', 'SE1/4', 'SW1/4', 'N1/2', 'S1/2', 'E1/2', 'W1/2'];

export const LETTERS: readonly string[] = [...'ABCDEFGHJKLMNPRSTVWY'];
