export const SERVICE = 'marketing-events';
