#include "core/export/parquetwriter.h"

// Only for the entry points' signatures: nothing of Thrift is compiled here.
#include "core/export/detail/parquetfile.h"
#include "core/util/runtimemodule.h"

#include <QFile>
#include <QLibrary>

namespace rs {

namespace {

const RuntimeModuleSpec kModule{"parquet", "REALSYN_PARQUET_MODULE", "realsyn_parquet.so", "realsyn_parquet_abi", REALSYN_PARQUET_ABI};

struct ParquetModule {
    decltype(&realsyn_parquet_new_writer) newWriter = nullptr;
    decltype(&realsyn_parquet_parse) parse = nullptr;
    QString unavailable; // why the functions are null
};

const ParquetModule &parquetModule()
{
    static const ParquetModule module = [] {
        const RuntimeModule loaded = loadRuntimeModule(kModule);
        if (!loaded.library)
            return ParquetModule{nullptr, nullptr, loaded.unavailable};
        ParquetModule m{reinterpret_cast<decltype(&realsyn_parquet_new_writer)>(loaded.library->resolve("realsyn_parquet_new_writer")),
                        reinterpret_cast<decltype(&realsyn_parquet_parse)>(loaded.library->resolve("realsyn_parquet_parse")),
                        {}};
        if (!m.newWriter || !m.parse)
            return ParquetModule{nullptr, nullptr, loaded.library->fileName() + QStringLiteral(" lacks the parquet entry points")};
        return m;
    }();
    return module;
}

Error moduleError()
{
    return Error{ErrorCode::Unsupported, parquetModule().unavailable, {}};
}

} // namespace

QStringList parquetCompressions()
{
    return {QStringLiteral("snappy"), QStringLiteral("zstd"), QStringLiteral("none")};
}

Result<ParquetCompression> parseParquetCompression(const QString &name)
{
    if (name == QLatin1String("snappy"))
        return ParquetCompression::Snappy;
    if (name == QLatin1String("zstd"))
        return ParquetCompression::Zstd;
    if (name == QLatin1String("none"))
        return ParquetCompression::None;
    return makeError(ErrorCode::InvalidArgument, QStringLiteral("unknown parquet compression (expected %1)").arg(parquetCompressions().join(QLatin1Char('|'))),
                     name);
}

QString parquetCompressionName(ParquetCompression c)
{
    switch (c) {
    case ParquetCompression::None: return QStringLiteral("none");
    case ParquetCompression::Snappy: return QStringLiteral("snappy");
    case ParquetCompression::Zstd: return QStringLiteral("zstd");
    }
    return {};
}

QString parquetUnavailable()
{
    return runtimeModuleMissing(kModule);
}

struct ParquetWriter::Impl {
    std::unique_ptr<detail::IParquetFileWriter> file; // null when the module did not load
};

ParquetWriter::ParquetWriter(QVector<ParquetColumn> schema, ParquetCompression compression, qint64 rowGroupRows)
    : d(std::make_unique<Impl>())
{
    if (const auto newWriter = parquetModule().newWriter)
        d->file.reset(newWriter(schema, compression, rowGroupRows));
}

ParquetWriter::~ParquetWriter() = default;

Status ParquetWriter::open(const QString &path)
{
    if (!d->file)
        return moduleError();
    return d->file->open(path);
}

Status ParquetWriter::addRow(const QVector<ParquetValue> &row)
{
    if (!d->file)
        return moduleError();
    return d->file->addRow(row);
}

Status ParquetWriter::close()
{
    if (!d->file)
        return moduleError();
    return d->file->close();
}

qint64 ParquetWriter::rows() const
{
    return d->file ? d->file->rows() : 0;
}

int ParquetWriter::rowGroups() const
{
    return d->file ? d->file->rowGroups() : 0;
}

Result<ParquetFileInfo> parseParquetFileInfo(const QByteArray &file)
{
    const ParquetModule &module = parquetModule();
    if (!module.parse)
        return moduleError();
    Result<ParquetFileInfo> info = moduleError(); // overwritten
    module.parse(file, info);
    return info;
}

Result<ParquetFileInfo> readParquetFileInfo(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::IoError, f.errorString(), path);
    auto info = parseParquetFileInfo(f.readAll());
    if (!info)
        return makeError(info.error().code, info.error().message, path);
    return info;
}

} // namespace rs
