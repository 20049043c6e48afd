/** The sweeper's workflow type and the id of the schedule that starts it. */
export const SWEEPER_WORKFLOW = 'sweeper';
export const SWEEPER_SCHEDULE_ID = 'drover-sweeper';
