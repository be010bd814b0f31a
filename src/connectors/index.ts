/**
 * The connectors layer's public API (L3): source readers (Kafka, datagen, JSON-lines files), the JSON
 * decoder and encoder, and the Kafka sink. Stateless re-exports; import from here, not from the files.
 */
export type * from './types.js';
export { createJsonDecoder, INCLUDE_DEFAULT_TYPES } from './json-decoder.js';
export { encodeChanges, RowJsonEncoder, jsonWriterFor, formatIsoInterval, type SinkFormat, type EncodeOptions } from './json-encoder.js';
export { createKafkaSource, type KafkaSourceOptions } from './kafka-source.js';
export { createKafkaSink, readLastEpoch, EPOCH_HEADER, SinkClosedError, type KafkaSinkOptions } from './kafka-sink.js';
export type { ConnectorLog } from './kafka-client.js';
export { createSiemGenerator, SIEM_STREAMS, SIEM_SCENARIOS, type SiemGenerator, type SiemGeneratorOptions, type SiemStream, type SiemScenario, type SiemEvent } from './siem-generator.js';
export { createDatagenSource, type DatagenSource, type DatagenSourceOptions } from './datagen.js';
export { createFileSource, type FileSource, type FileSourceOptions } from './file-source.js';
export { produceSiemTraffic, type ProduceSiemOptions } from './datagen-kafka.js';
