// Prints every row of the parquet files given on the command line as one
// JSON object a line, read with hyparquet (pure JavaScript, independent of
// our writer), plus a last line with each file's schema and metadata:
//   node dump.mjs FILE...
// Values: strings as they are, null for nulls, INT64 (BigInt) as numbers
// when exact, else as strings; doubles as JavaScript numbers (shortest
// round-trip text, so C++ parses back the identical double).
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'

// hyparquet decodes Snappy itself; only ZSTD comes from hyparquet-compressors.
const zstdOnly = { ZSTD: compressors.ZSTD }

function plain(v) {
  if (typeof v === 'bigint') {
    return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()
  }
  return v
}

const out = process.stdout
for (const path of process.argv.slice(2)) {
  const file = await asyncBufferFromFile(path)
  const metadata = await parquetMetadataAsync(file)
  const rows = await parquetReadObjects({ file, metadata, compressors: zstdOnly })
  for (const row of rows) {
    const o = {}
    for (const [k, v] of Object.entries(row)) o[k] = plain(v)
    out.write(JSON.stringify(o) + '\n')
  }
  out.write(JSON.stringify({
    __file__: path,
    num_rows: plain(metadata.num_rows),
    row_groups: metadata.row_groups.map(g => plain(g.num_rows)),
    created_by: metadata.created_by,
    schema: metadata.schema.slice(1).map(e => ({
      name: e.name, type: e.type, repetition_type: e.repetition_type,
      converted_type: e.converted_type ?? null, logical_type: e.logical_type?.type ?? null,
    })),
    codecs: metadata.row_groups.length ? metadata.row_groups[0].columns.map(c => c.meta_data.codec) : [],
  }) + '\n')
}
