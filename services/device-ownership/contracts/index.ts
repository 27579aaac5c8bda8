/** device-ownership's public contracts: the device events it accepts on its queue. */
export * from './events';
