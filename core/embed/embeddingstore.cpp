#include "core/embed/embeddingstore.h"

#include "core/store/projectstore.h"
#include "core/util/half.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <cerrno>
#include <cstring>

#include <limits>

#include <sys/mman.h>
#include <unistd.h>

namespace rs {

namespace {

constexpr char kMagic[8] = {'R', 'S', 'E', 'M', 'B', '0', '0', '1'};
constexpr qint64 kHeaderBytes = 64;

QString metaPath(const QString &dir, const QString &kind)
{
    return QDir(dir).filePath(kind + QStringLiteral(".json"));
}

} // namespace

Result<std::unique_ptr<EmbeddingStore>> EmbeddingStore::open(const QString &dir, const QString &kind, const QString &encoder,
                                                              int dim, DType dtype, bool *reset)
{
    if (dim <= 0 || dim > 65536)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("embedding dimension %1 out of range").arg(dim), kind);
    if (!QDir().mkpath(dir))
        return makeError(ErrorCode::IoError, QStringLiteral("cannot create folder"), dir);
    std::unique_ptr<EmbeddingStore> s(new EmbeddingStore);
    s->m_dir = dir;
    s->m_kind = kind;
    s->m_encoder = encoder;
    s->m_dim = dim;
    s->m_dtype = dtype;
    if (reset)
        *reset = false;

    QFile meta(metaPath(dir, kind));
    bool compatible = false;
    if (meta.open(QIODevice::ReadOnly)) {
        const QJsonObject o = QJsonDocument::fromJson(meta.readAll()).object();
        compatible = o.value(QStringLiteral("encoder")).toString() == encoder && o.value(QStringLiteral("dim")).toInt() == dim
            && o.value(QStringLiteral("dtype")).toInt() == int(dtype);
        meta.close();
    }
    if (!compatible) {
        QFile::remove(QDir(dir).filePath(kind + QStringLiteral(".emb")));
        QFile::remove(QDir(dir).filePath(kind + QStringLiteral(".mask")));
        QSaveFile out(metaPath(dir, kind));
        if (!out.open(QIODevice::WriteOnly))
            return makeError(ErrorCode::IoError, out.errorString(), out.fileName());
        out.write(QJsonDocument(QJsonObject{{QStringLiteral("encoder"), encoder}, {QStringLiteral("dim"), dim},
                                            {QStringLiteral("dtype"), int(dtype)}})
                      .toJson());
        if (!out.commit())
            return makeError(ErrorCode::IoError, out.errorString(), out.fileName());
        if (reset)
            *reset = true;
    }
    if (Status st = s->mapFiles(0); !st)
        return st.error();
    return s;
}

QString EmbeddingStore::projectDir(ProjectStore &store)
{
    return store.sidePath(QStringLiteral("embeddings"));
}

Result<std::unique_ptr<EmbeddingStore>> EmbeddingStore::openInProject(ProjectStore &store, const QString &kind)
{
    return openExisting(projectDir(store), kind);
}

Result<std::unique_ptr<EmbeddingStore>> EmbeddingStore::openExisting(const QString &dir, const QString &kind)
{
    QFile meta(metaPath(dir, kind));
    if (!meta.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::NotFound, QStringLiteral("no %1 embeddings yet (run the embed stage)").arg(kind), dir);
    const QJsonObject o = QJsonDocument::fromJson(meta.readAll()).object();
    if (!o.contains(QStringLiteral("encoder")))
        return makeError(ErrorCode::ParseError, QStringLiteral("corrupt embedding metadata"), meta.fileName());
    return open(dir, kind, o.value(QStringLiteral("encoder")).toString(), o.value(QStringLiteral("dim")).toInt(),
                DType(o.value(QStringLiteral("dtype")).toInt(16)));
}

EmbeddingStore::~EmbeddingStore()
{
    // Best effort: a destructor cannot report. Writers call flush() and
    // check it; rows not yet marked present are recomputed on the next run.
    (void)flush();
}

Status EmbeddingStore::mapFiles(qint64 capacity)
{
    if (m_dataMap)
        m_data.unmap(m_dataMap);
    if (m_maskMap)
        m_mask.unmap(m_maskMap);
    m_dataMap = m_maskMap = nullptr;
    m_data.close();
    m_mask.close();
    m_data.setFileName(QDir(m_dir).filePath(m_kind + QStringLiteral(".emb")));
    m_mask.setFileName(QDir(m_dir).filePath(m_kind + QStringLiteral(".mask")));
    if (!m_data.open(QIODevice::ReadWrite) || !m_mask.open(QIODevice::ReadWrite))
        return makeError(ErrorCode::IoError, QStringLiteral("cannot open embedding files"), m_data.fileName());

    const qint64 rowBytes = qint64(m_dim) * (m_dtype == DType::Float16 ? 2 : 4);
    qint64 existing = 0;
    if (m_data.size() >= kHeaderBytes) {
        char header[kHeaderBytes];
        m_data.seek(0);
        m_data.read(header, kHeaderBytes);
        if (std::memcmp(header, kMagic, 8) != 0)
            return makeError(ErrorCode::ParseError, QStringLiteral("not an embedding file (bad magic)"), m_data.fileName());
        qint32 dtype, dim;
        std::memcpy(&dtype, header + 8, 4);
        std::memcpy(&dim, header + 12, 4);
        std::memcpy(&existing, header + 16, 8);
        if (dtype != int(m_dtype) || dim != m_dim || existing < 0
            || m_data.size() < kHeaderBytes + existing * rowBytes || m_mask.size() < existing)
            return makeError(ErrorCode::ParseError, QStringLiteral("embedding file is truncated or inconsistent"), m_data.fileName());
    }
    m_capacity = std::max(existing, capacity);
    if (m_capacity == 0)
        m_capacity = 1024;
    if (!m_data.resize(kHeaderBytes + m_capacity * rowBytes) || !m_mask.resize(m_capacity))
        return makeError(ErrorCode::IoError, QStringLiteral("cannot grow embedding files (disk full?)"), m_data.fileName());
    char header[kHeaderBytes] = {};
    std::memcpy(header, kMagic, 8);
    const qint32 dtype = int(m_dtype), dim = m_dim;
    std::memcpy(header + 8, &dtype, 4);
    std::memcpy(header + 12, &dim, 4);
    std::memcpy(header + 16, &m_capacity, 8);
    m_data.seek(0);
    m_data.write(header, kHeaderBytes);
    m_data.flush();
    m_dataMap = m_data.map(0, m_data.size());
    m_maskMap = m_mask.map(0, m_mask.size());
    if (!m_dataMap || !m_maskMap)
        return makeError(ErrorCode::IoError, QStringLiteral("cannot memory-map embedding files"), m_data.fileName());
    return {};
}

Status EmbeddingStore::grow(qint64 minCapacity)
{
    if (minCapacity <= m_capacity)
        return {};
    return mapFiles(std::max(minCapacity, m_capacity * 2));
}

bool EmbeddingStore::has(qint64 id) const
{
    return id >= 0 && id < m_capacity && m_maskMap[id];
}

qint64 EmbeddingStore::count() const
{
    qint64 n = 0;
    for (qint64 i = 0; i < m_capacity; ++i)
        n += m_maskMap[i] ? 1 : 0;
    return n;
}

Status EmbeddingStore::put(const QVector<qint64> &ids, const Matrix &vectors)
{
    if (vectors.rows != ids.size() || (vectors.rows > 0 && vectors.cols != m_dim))
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("embedding batch is %1x%2, expected %3x%4").arg(vectors.rows).arg(vectors.cols).arg(ids.size()).arg(m_dim),
                         m_kind);
    qint64 maxId = -1;
    for (qint64 id : ids) {
        if (id < 0)
            return makeError(ErrorCode::InvalidArgument, QStringLiteral("negative item id"), m_kind);
        maxId = std::max(maxId, id);
    }
    if (Status s = grow(maxId + 1); !s)
        return s;
    const qint64 rowBytes = qint64(m_dim) * (m_dtype == DType::Float32 ? 4 : 2);
    qint64 lo = std::numeric_limits<qint64>::max(), hi = 0;
    for (int i = 0; i < ids.size(); ++i) {
        const float *src = vectors.row(i);
        const qint64 offset = kHeaderBytes + ids[i] * rowBytes;
        if (m_dtype == DType::Float32) {
            std::memcpy(m_dataMap + offset, src, size_t(m_dim) * 4);
        } else {
            auto *dst = reinterpret_cast<quint16 *>(m_dataMap + offset);
            for (int j = 0; j < m_dim; ++j)
                dst[j] = floatToHalf(src[j]);
        }
        lo = std::min(lo, offset);
        hi = std::max(hi, offset + rowBytes);
    }
    // The rows reach the disk before any is marked present, so a crash can
    // leave a computed row unmarked (recomputed) but never a marked row
    // holding garbage. msync needs a page-aligned start.
    if (hi > lo) {
        const qint64 page = qint64(sysconf(_SC_PAGESIZE));
        const qint64 start = lo / page * page;
        if (::msync(m_dataMap + start, size_t(hi - start), MS_SYNC) != 0)
            return makeError(ErrorCode::IoError, QStringLiteral("cannot write embeddings to disk: %1").arg(QString::fromLocal8Bit(std::strerror(errno))),
                             m_data.fileName());
    }
    for (qint64 id : ids)
        m_maskMap[id] = 1;
    return {};
}

Matrix EmbeddingStore::get(const QVector<qint64> &ids) const
{
    Matrix out(ids.size(), m_dim);
    for (int i = 0; i < ids.size(); ++i) {
        if (!has(ids[i]))
            continue;
        float *dst = out.row(i);
        if (m_dtype == DType::Float32) {
            std::memcpy(dst, m_dataMap + kHeaderBytes + ids[i] * qint64(m_dim) * 4, size_t(m_dim) * 4);
        } else {
            const auto *src = reinterpret_cast<const quint16 *>(m_dataMap + kHeaderBytes + ids[i] * qint64(m_dim) * 2);
            for (int j = 0; j < m_dim; ++j)
                dst[j] = halfToFloat(src[j]);
        }
    }
    return out;
}

Status EmbeddingStore::clear()
{
    std::memset(m_maskMap, 0, size_t(m_capacity));
    return flush();
}

Status EmbeddingStore::flush()
{
    // Data before mask: a crash between the two leaves rows unmarked
    // (recomputed next run), never marked rows with stale data. The rows
    // live in mapped pages, which only msync writes back; QFile::flush does
    // not touch them.
    const auto sync = [](uchar *map, qint64 bytes, const QFile &file) -> Status {
        if (map && bytes > 0 && ::msync(map, size_t(bytes), MS_SYNC) != 0)
            return makeError(ErrorCode::IoError, QStringLiteral("cannot write embeddings to disk: %1").arg(QString::fromLocal8Bit(std::strerror(errno))),
                             file.fileName());
        return {};
    };
    if (Status s = sync(m_dataMap, m_data.size(), m_data); !s)
        return s;
    return sync(m_maskMap, m_mask.size(), m_mask);
}

} // namespace rs
