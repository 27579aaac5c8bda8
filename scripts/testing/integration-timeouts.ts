// Integration tests wait on real queues, redeliveries and services; two minutes bounds each.
jest.setTimeout(120_000);
