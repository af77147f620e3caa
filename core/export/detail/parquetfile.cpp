#include "core/export/detail/parquetfile.h"

#include "core/export/detail/parquetencoding.h"

// Generated into the build folder by thrift --gen cpp (core/CMakeLists.txt).
#include "parquet_types.h"

#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include <snappy.h>
#include <zstd.h>

#include <QFile>
#include <QtEndian>

#include <cstring>
#include <limits>
#include <string>

namespace rs {

namespace pf = rs::parquetformat;
using apache::thrift::protocol::TCompactProtocolT;
using apache::thrift::transport::TMemoryBuffer;

namespace {

constexpr char kMagic[] = "PAR1";
// Pages close at about 1 MiB of values: small enough for readers to stream,
// large enough that page headers cost nothing.
constexpr qsizetype kPageBytes = 1 << 20;
// ZSTD's default level; fixed so that the bytes never depend on a library default.
constexpr int kZstdLevel = 3;

template <typename T>
QByteArray serialize(const T &object)
{
    auto buffer = std::make_shared<TMemoryBuffer>();
    TCompactProtocolT<TMemoryBuffer> protocol(buffer);
    object.write(&protocol);
    uint8_t *bytes = nullptr;
    uint32_t size = 0;
    buffer->getBuffer(&bytes, &size);
    return QByteArray(reinterpret_cast<const char *>(bytes), qsizetype(size));
}

pf::Type::type physicalType(ParquetColumn::Type t)
{
    switch (t) {
    case ParquetColumn::Type::String: return pf::Type::BYTE_ARRAY;
    case ParquetColumn::Type::Int32: return pf::Type::INT32;
    case ParquetColumn::Type::Int64: return pf::Type::INT64;
    case ParquetColumn::Type::Double: return pf::Type::DOUBLE;
    }
    return pf::Type::BYTE_ARRAY;
}

pf::CompressionCodec::type codecOf(ParquetCompression c)
{
    switch (c) {
    case ParquetCompression::None: return pf::CompressionCodec::UNCOMPRESSED;
    case ParquetCompression::Snappy: return pf::CompressionCodec::SNAPPY;
    case ParquetCompression::Zstd: return pf::CompressionCodec::ZSTD;
    }
    return pf::CompressionCodec::UNCOMPRESSED;
}

Result<QByteArray> compress(ParquetCompression c, const QByteArray &in)
{
    switch (c) {
    case ParquetCompression::None:
        return in;
    case ParquetCompression::Snappy: {
        std::string out;
        snappy::Compress(in.constData(), size_t(in.size()), &out);
        return QByteArray(out.data(), qsizetype(out.size()));
    }
    case ParquetCompression::Zstd: {
        QByteArray out(qsizetype(ZSTD_compressBound(size_t(in.size()))), Qt::Uninitialized);
        const size_t n = ZSTD_compress(out.data(), size_t(out.size()), in.constData(), size_t(in.size()), kZstdLevel);
        if (ZSTD_isError(n))
            return makeError(ErrorCode::Internal, QStringLiteral("ZSTD compression failed: ") + QString::fromLatin1(ZSTD_getErrorName(n)));
        out.truncate(qsizetype(n));
        return out;
    }
    }
    return makeError(ErrorCode::Internal, QStringLiteral("unknown compression"));
}

struct ColumnState {
    ParquetColumn def;
    // The page being filled.
    std::vector<std::uint32_t> levels; // definition levels (optional columns only)
    QByteArray values;                 // PLAIN values of the non-null cells
    qint64 pageValues = 0, pageNulls = 0;
    // The column chunk of the current row group: encoded pages, back to back.
    QByteArray chunk;
    qint64 chunkValues = 0, chunkNulls = 0, chunkUncompressed = 0;
};

} // namespace

namespace detail {

namespace {

// What one file being written holds.
struct FileState {
    QVector<ColumnState> columns;
    ParquetCompression compression;
    qint64 rowGroupRows;
    QFile file;
    qint64 offset = 0; // bytes written so far
    qint64 rows = 0, groupRows = 0;
    std::vector<pf::RowGroup> rowGroups;
    QString error; // a failed write poisons the writer

    Status write(const QByteArray &bytes)
    {
        if (file.write(bytes) != bytes.size())
            return makeError(ErrorCode::IoError, QStringLiteral("write failed (disk full?): ") + file.errorString(), file.fileName());
        offset += bytes.size();
        return {};
    }

    Status flushPage(ColumnState &c)
    {
        if (c.pageValues == 0)
            return {};
        QByteArray body;
        if (c.def.optional) {
            // Data page v1: the levels' byte length (4 bytes LE), then the hybrid runs (bit width 1).
            const QByteArray levels = detail::encodeRleHybrid(c.levels, 1);
            detail::appendPlainInt32(body, std::int32_t(levels.size()));
            body += levels;
        }
        body += c.values;
        auto compressed = compress(compression, body);
        if (!compressed)
            return compressed.error();
        pf::DataPageHeader dataHeader;
        dataHeader.__set_num_values(std::int32_t(c.pageValues));
        dataHeader.__set_encoding(pf::Encoding::PLAIN);
        dataHeader.__set_definition_level_encoding(pf::Encoding::RLE);
        dataHeader.__set_repetition_level_encoding(pf::Encoding::RLE);
        pf::Statistics stats;
        stats.__set_null_count(c.pageNulls);
        dataHeader.__set_statistics(stats);
        pf::PageHeader header;
        header.__set_type(pf::PageType::DATA_PAGE);
        header.__set_uncompressed_page_size(std::int32_t(body.size()));
        header.__set_compressed_page_size(std::int32_t(compressed->size()));
        header.__set_data_page_header(dataHeader);
        const QByteArray headerBytes = serialize(header);
        c.chunk += headerBytes;
        c.chunk += *compressed;
        c.chunkUncompressed += headerBytes.size() + body.size();
        c.chunkValues += c.pageValues;
        c.chunkNulls += c.pageNulls;
        c.levels.clear();
        c.values.clear();
        c.pageValues = c.pageNulls = 0;
        return {};
    }

    Status flushRowGroup()
    {
        if (groupRows == 0)
            return {};
        pf::RowGroup group;
        group.__set_num_rows(groupRows);
        group.__set_file_offset(offset);
        if (rowGroups.size() <= size_t(std::numeric_limits<std::int16_t>::max())) // the field is an i16
            group.__set_ordinal(std::int16_t(rowGroups.size()));
        std::vector<pf::ColumnChunk> chunks;
        qint64 uncompressed = 0, compressedTotal = 0;
        for (ColumnState &c : columns) {
            if (Status s = flushPage(c); !s)
                return s;
            pf::ColumnMetaData meta;
            meta.__set_type(physicalType(c.def.type));
            meta.__set_encodings(c.def.optional ? std::vector<pf::Encoding::type>{pf::Encoding::PLAIN, pf::Encoding::RLE}
                                                : std::vector<pf::Encoding::type>{pf::Encoding::PLAIN});
            meta.__set_path_in_schema({c.def.name.toStdString()});
            meta.__set_codec(codecOf(compression));
            meta.__set_num_values(c.chunkValues);
            meta.__set_total_uncompressed_size(c.chunkUncompressed);
            meta.__set_total_compressed_size(c.chunk.size());
            meta.__set_data_page_offset(offset);
            pf::Statistics stats;
            stats.__set_null_count(c.chunkNulls);
            meta.__set_statistics(stats);
            pf::ColumnChunk chunk;
            // file_offset is deprecated; readers that still look at it expect the chunk's start.
            chunk.__set_file_offset(offset);
            chunk.__set_meta_data(meta);
            chunks.push_back(chunk);
            uncompressed += c.chunkUncompressed;
            compressedTotal += c.chunk.size();
            if (Status s = write(c.chunk); !s)
                return s;
            c.chunk.clear();
            c.chunkValues = c.chunkNulls = c.chunkUncompressed = 0;
        }
        group.__set_columns(chunks);
        group.__set_total_byte_size(uncompressed);
        group.__set_total_compressed_size(compressedTotal);
        rowGroups.push_back(group);
        groupRows = 0;
        return {};
    }
};

class ParquetFileWriter final : public IParquetFileWriter {
public:
    ParquetFileWriter(QVector<ParquetColumn> schema, ParquetCompression compression, qint64 rowGroupRows);
    Status open(const QString &path) override;
    Status addRow(const QVector<ParquetValue> &row) override;
    Status close() override;
    qint64 rows() const override;
    int rowGroups() const override;

private:
    std::unique_ptr<FileState> d;
};

} // namespace

ParquetFileWriter::ParquetFileWriter(QVector<ParquetColumn> schema, ParquetCompression compression, qint64 rowGroupRows)
    : d(std::make_unique<FileState>())
{
    for (ParquetColumn &c : schema)
        d->columns.push_back(ColumnState{std::move(c), {}, {}, 0, 0, {}, 0, 0, 0});
    d->compression = compression;
    d->rowGroupRows = std::max<qint64>(1, rowGroupRows);
}

Status ParquetFileWriter::open(const QString &path)
{
    d->file.setFileName(path);
    if (!d->file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return makeError(ErrorCode::IoError, d->file.errorString(), path);
    return d->write(QByteArray(kMagic, 4));
}

Status ParquetFileWriter::addRow(const QVector<ParquetValue> &row)
{
    if (!d->error.isEmpty())
        return makeError(ErrorCode::IoError, d->error, d->file.fileName());
    if (!d->file.isOpen())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("parquet writer is not open"));
    if (row.size() != d->columns.size())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("row has %1 values for %2 columns").arg(row.size()).arg(d->columns.size()));
    // Check the whole row first so that a bad row leaves no partial cells.
    for (qsizetype i = 0; i < row.size(); ++i) {
        const ParquetColumn &c = d->columns[i].def;
        const ParquetValue &v = row[i];
        const bool ok = std::holds_alternative<std::monostate>(v) ? c.optional
            : c.type == ParquetColumn::Type::String ? std::holds_alternative<QString>(v)
            : c.type == ParquetColumn::Type::Int32  ? std::holds_alternative<qint32>(v)
            : c.type == ParquetColumn::Type::Int64  ? std::holds_alternative<qint64>(v)
                                                    : std::holds_alternative<double>(v);
        if (!ok)
            return makeError(ErrorCode::InvalidArgument,
                             std::holds_alternative<std::monostate>(v) ? QStringLiteral("null in a required column") : QStringLiteral("value of the wrong type"),
                             c.name);
    }
    for (qsizetype i = 0; i < row.size(); ++i) {
        ColumnState &c = d->columns[i];
        const ParquetValue &v = row[i];
        const bool isNull = std::holds_alternative<std::monostate>(v);
        if (c.def.optional)
            c.levels.push_back(isNull ? 0 : 1);
        ++c.pageValues;
        if (isNull) {
            ++c.pageNulls;
        } else if (const QString *s = std::get_if<QString>(&v)) {
            detail::appendPlainByteArray(c.values, s->toUtf8());
        } else if (const qint32 *i32 = std::get_if<qint32>(&v)) {
            detail::appendPlainInt32(c.values, *i32);
        } else if (const qint64 *i64 = std::get_if<qint64>(&v)) {
            detail::appendPlainInt64(c.values, *i64);
        } else {
            detail::appendPlainDouble(c.values, std::get<double>(v));
        }
        if (c.values.size() >= kPageBytes)
            if (Status s = d->flushPage(c); !s) {
                d->error = s.error().message;
                return s;
            }
    }
    ++d->rows;
    if (++d->groupRows >= d->rowGroupRows)
        if (Status s = d->flushRowGroup(); !s) {
            d->error = s.error().message;
            return s;
        }
    return {};
}

Status ParquetFileWriter::close()
{
    if (!d->error.isEmpty())
        return makeError(ErrorCode::IoError, d->error, d->file.fileName());
    if (!d->file.isOpen())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("parquet writer is not open"));
    if (Status s = d->flushRowGroup(); !s)
        return s;
    pf::FileMetaData meta;
    meta.__set_version(1);
    std::vector<pf::SchemaElement> schema;
    pf::SchemaElement root;
    root.__set_name("schema");
    root.__set_num_children(std::int32_t(d->columns.size()));
    schema.push_back(root);
    for (const ColumnState &c : d->columns) {
        pf::SchemaElement e;
        e.__set_name(c.def.name.toStdString());
        e.__set_type(physicalType(c.def.type));
        e.__set_repetition_type(c.def.optional ? pf::FieldRepetitionType::OPTIONAL : pf::FieldRepetitionType::REQUIRED);
        if (c.def.type == ParquetColumn::Type::String) {
            e.__set_converted_type(pf::ConvertedType::UTF8);
            pf::LogicalType logical;
            logical.__set_STRING(pf::StringType());
            e.__set_logicalType(logical);
        }
        schema.push_back(e);
    }
    meta.__set_schema(schema);
    meta.__set_num_rows(d->rows);
    meta.__set_row_groups(d->rowGroups);
    meta.__set_created_by(kParquetCreatedBy);
    const QByteArray footer = serialize(meta);
    QByteArray tail = footer;
    detail::appendPlainInt32(tail, std::int32_t(footer.size()));
    tail.append(kMagic, 4);
    if (Status s = d->write(tail); !s)
        return s;
    if (!d->file.flush())
        return makeError(ErrorCode::IoError, d->file.errorString(), d->file.fileName());
    d->file.close();
    if (d->file.error() != QFile::NoError)
        return makeError(ErrorCode::IoError, d->file.errorString(), d->file.fileName());
    return {};
}

qint64 ParquetFileWriter::rows() const
{
    return d->rows;
}

int ParquetFileWriter::rowGroups() const
{
    return int(d->rowGroups.size()) + (d->groupRows > 0 ? 1 : 0);
}

namespace {

// Thrift's generated reader stores whatever integer the file holds in an
// enum field, also one outside the enum (a damaged footer); loading that as
// the enum is undefined behaviour (UBSan: "not a valid value for type").
// Read the stored integer instead, then compare.
template <class Enum>
int storedEnum(const Enum &e)
{
    static_assert(sizeof(Enum) == sizeof(int));
    int v;
    std::memcpy(&v, &e, sizeof v);
    return v;
}

} // namespace

Result<ParquetFileInfo> parseParquetFile(const QByteArray &file)
{
    // Header magic, footer, footer length, trailing magic.
    if (file.size() < 12 || !file.startsWith(kMagic) || !file.endsWith(kMagic))
        return makeError(ErrorCode::ParseError, QStringLiteral("not a parquet file (no PAR1 magic at both ends)"));
    const qint64 footerSize = qFromLittleEndian<quint32>(file.constData() + file.size() - 8);
    if (footerSize <= 0 || footerSize > file.size() - 12)
        return makeError(ErrorCode::ParseError, QStringLiteral("footer length %1 does not fit in a file of %2 bytes").arg(footerSize).arg(file.size()));
    pf::FileMetaData meta;
    try {
        auto config = std::make_shared<apache::thrift::TConfiguration>();
        auto buffer = std::make_shared<TMemoryBuffer>(
            reinterpret_cast<uint8_t *>(const_cast<char *>(file.constData() + file.size() - 8 - footerSize)), uint32_t(footerSize),
            TMemoryBuffer::OBSERVE, config);
        // Strings and containers cannot be longer than the footer itself:
        // a forged length fails here instead of allocating gigabytes.
        TCompactProtocolT<TMemoryBuffer> protocol(buffer, std::int32_t(footerSize), std::int32_t(footerSize));
        meta.read(&protocol);
    } catch (const std::exception &e) {
        return makeError(ErrorCode::ParseError, QStringLiteral("file metadata does not decode: ") + QString::fromUtf8(e.what()));
    }
    ParquetFileInfo info;
    info.rows = meta.num_rows;
    info.createdBy = meta.__isset.created_by ? QString::fromStdString(meta.created_by) : QString();
    if (meta.schema.empty())
        return makeError(ErrorCode::ParseError, QStringLiteral("empty schema"));
    for (size_t i = 1; i < meta.schema.size(); ++i) {
        const pf::SchemaElement &e = meta.schema[i];
        if (!e.__isset.type)
            return makeError(ErrorCode::ParseError, QStringLiteral("nested column %1 (only flat files are described)").arg(QString::fromStdString(e.name)));
        ParquetColumn c;
        c.name = QString::fromStdString(e.name);
        c.optional = e.__isset.repetition_type && storedEnum(e.repetition_type) == pf::FieldRepetitionType::OPTIONAL;
        switch (storedEnum(e.type)) {
        case pf::Type::BYTE_ARRAY: c.type = ParquetColumn::Type::String; break;
        case pf::Type::INT32: c.type = ParquetColumn::Type::Int32; break;
        case pf::Type::INT64: c.type = ParquetColumn::Type::Int64; break;
        case pf::Type::DOUBLE: c.type = ParquetColumn::Type::Double; break;
        default:
            return makeError(ErrorCode::ParseError, QStringLiteral("column %1 has physical type %2, which this reader does not describe").arg(c.name).arg(storedEnum(e.type)));
        }
        info.columns.push_back(c);
    }
    qint64 total = 0;
    for (const pf::RowGroup &g : meta.row_groups) {
        if (g.num_rows < 0)
            return makeError(ErrorCode::ParseError, QStringLiteral("negative row count in a row group"));
        info.rowGroupRows.push_back(g.num_rows);
        total += g.num_rows;
    }
    if (total != meta.num_rows)
        return makeError(ErrorCode::ParseError, QStringLiteral("row groups hold %1 rows, the file says %2").arg(total).arg(meta.num_rows));
    if (!meta.row_groups.empty())
        for (const pf::ColumnChunk &c : meta.row_groups.front().columns) {
            const int codec = c.__isset.meta_data ? storedEnum(c.meta_data.codec) : -1;
            info.codecs << (codec == pf::CompressionCodec::SNAPPY ? QStringLiteral("snappy")
                            : codec == pf::CompressionCodec::ZSTD ? QStringLiteral("zstd")
                            : codec == pf::CompressionCodec::UNCOMPRESSED ? QStringLiteral("none")
                                                                          : QStringLiteral("codec %1").arg(codec));
        }
    return info;
}

std::unique_ptr<IParquetFileWriter> makeParquetFileWriter(QVector<ParquetColumn> schema, ParquetCompression compression, qint64 rowGroupRows)
{
    return std::make_unique<ParquetFileWriter>(std::move(schema), compression, rowGroupRows);
}

} // namespace detail

} // namespace rs
