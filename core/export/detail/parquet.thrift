// The part of the Apache Parquet file metadata that RealSyn's parquet writer
// produces, written for this project from the format specification
// (apache/parquet-format, src/main/thrift/parquet.thrift and the
// documentation of the file layout). Field ids, types and enum values are the
// format's; everything a flat, PLAIN-encoded, optionally compressed file does
// not need (dictionary and index pages, page v2, bloom filters, column and
// offset indices, encryption, nested and temporal types) is left out. Readers
// skip unknown fields, so a file described with this subset is a complete
// parquet file.
//
// CMake runs `thrift --gen cpp` on this file into the build folder; only
// core/export/parquetwriter.cpp and its tests see the generated types.

namespace cpp rs.parquetformat

// Physical types.
enum Type {
  BOOLEAN = 0;
  INT32 = 1;
  INT64 = 2;
  INT96 = 3;
  FLOAT = 4;
  DOUBLE = 5;
  BYTE_ARRAY = 6;
  FIXED_LEN_BYTE_ARRAY = 7;
}

// The legacy annotation; UTF8 is still what older readers look for on strings.
enum ConvertedType {
  UTF8 = 0;
}

enum FieldRepetitionType {
  REQUIRED = 0;
  OPTIONAL = 1;
  REPEATED = 2;
}

enum Encoding {
  PLAIN = 0;
  RLE = 3;
}

enum CompressionCodec {
  UNCOMPRESSED = 0;
  SNAPPY = 1;
  GZIP = 2;
  LZO = 3;
  BROTLI = 4;
  LZ4 = 5;
  ZSTD = 6;
  LZ4_RAW = 7;
}

enum PageType {
  DATA_PAGE = 0;
  INDEX_PAGE = 1;
  DICTIONARY_PAGE = 2;
  DATA_PAGE_V2 = 3;
}

struct Statistics {
  3: optional i64 null_count;
}

// Logical types: only STRING (UTF-8 BYTE_ARRAY) is used.
struct StringType {}

union LogicalType {
  1: StringType STRING;
}

struct SchemaElement {
  1: optional Type type;
  2: optional i32 type_length;
  3: optional FieldRepetitionType repetition_type;
  4: required string name;
  5: optional i32 num_children;
  6: optional ConvertedType converted_type;
  10: optional LogicalType logicalType;
}

struct DataPageHeader {
  1: required i32 num_values;
  2: required Encoding encoding;
  3: required Encoding definition_level_encoding;
  4: required Encoding repetition_level_encoding;
  5: optional Statistics statistics;
}

struct PageHeader {
  1: required PageType type;
  2: required i32 uncompressed_page_size;
  3: required i32 compressed_page_size;
  4: optional i32 crc;
  5: optional DataPageHeader data_page_header;
}

struct KeyValue {
  1: required string key;
  2: optional string value;
}

struct ColumnMetaData {
  1: required Type type;
  2: required list<Encoding> encodings;
  3: required list<string> path_in_schema;
  4: required CompressionCodec codec;
  5: required i64 num_values;
  6: required i64 total_uncompressed_size;
  7: required i64 total_compressed_size;
  8: optional list<KeyValue> key_value_metadata;
  9: required i64 data_page_offset;
  12: optional Statistics statistics;
}

struct ColumnChunk {
  1: optional string file_path;
  2: required i64 file_offset = 0;
  3: optional ColumnMetaData meta_data;
}

struct RowGroup {
  1: required list<ColumnChunk> columns;
  2: required i64 total_byte_size;
  3: required i64 num_rows;
  5: optional i64 file_offset;
  6: optional i64 total_compressed_size;
  7: optional i16 ordinal;
}

struct FileMetaData {
  1: required i32 version;
  2: required list<SchemaElement> schema;
  3: required i64 num_rows;
  4: required list<RowGroup> row_groups;
  5: optional list<KeyValue> key_value_metadata;
  6: optional string created_by;
}
