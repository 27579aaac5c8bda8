export const SERVICE = 'device-ownership';
