/** The catalog benchmark: being written (issue 22). */
export async function main(argv: string[]): Promise<void> {
  void argv;
  throw new Error('the catalog benchmark is not written yet');
}
