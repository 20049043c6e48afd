/** The array child's exit code for input it can never process; the job's retry strategy does not retry it. */
export const CHILD_BAD_INPUT_EXIT = 2;
