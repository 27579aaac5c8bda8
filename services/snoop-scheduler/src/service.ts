export const SERVICE = 'snoop-scheduler';
