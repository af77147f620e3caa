#include "core/index/imagesearch.h"

#include "core/embed/activeencoder.h"
#include "core/embed/embeddedimages.h"
#include "core/index/bm25index.h"
#include "core/index/kmeans.h"
#include "core/index/retriever.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"
#include "core/store/samplequery.h"

#include <QCryptographicHash>
#include <QDataStream>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QMutex>
#include <QSaveFile>
#include <QSqlRecord>

#include <cmath>
#include <functional>
#include <optional>
#include <map>

namespace rs {

struct ImageSearch::Impl {
    QVector<qint64> textIds;
    Bm25Index lexical;
    QVector<qint64> vectorIds;
    QHash<qint64, qint64> vectorRow; // image id -> row of vectors
    Matrix vectors;
    std::optional<HierarchicalRetriever> ivf; // above kExactImages
    int probes = 1;
    std::shared_ptr<IEncoder> encoder;
    QString encoderError;
    mutable QMutex encoderMutex;
};

QString searchModeName(SearchMode mode)
{
    switch (mode) {
    case SearchMode::Text: return QStringLiteral("text");
    case SearchMode::Semantic: return QStringLiteral("semantic");
    case SearchMode::Similar: break;
    }
    return QStringLiteral("similar");
}

ImageSearch::ImageSearch() : m_impl(std::make_unique<Impl>()) {}
ImageSearch::ImageSearch(ImageSearch &&) noexcept = default;
ImageSearch &ImageSearch::operator=(ImageSearch &&) noexcept = default;
ImageSearch::~ImageSearch() = default;

namespace {

// Probed lists of the IVF index: 1/16 of them, at least 8 (bench_search:
// recall@10 >= 0.9 within the 100 ms target at 1M).
int probesFor(int clusters)
{
    return std::max(8, clusters / 16);
}

// The IVF index over the image vectors: a coarse partition for probing, not
// a clustering anyone reads.
Result<HierarchicalRetriever> buildIvf(const Matrix &vectors)
{
    KMeansOptions km;
    km.clusters = defaultClusterCount(vectors.rows);
    km.iterations = 10;
    km.maxPointsPerCentroid = 64;
    return HierarchicalRetriever::build(vectors, km);
}

constexpr quint32 kTextCacheMagic = 0x52535354; // "RSST"
// Bumped when what load() indexes or how changes: old caches then miss.
constexpr quint32 kCacheVersion = 1;

QString textCachePath(ProjectStore &store)
{
    return store.sidePath(QStringLiteral("cache/search-text.bin"));
}

QString denseCachePath(ProjectStore &store)
{
    return store.sidePath(QStringLiteral("cache/search-dense.ivf"));
}

bool readTextCache(const QString &path, const QByteArray &key, QVector<qint64> &ids, Bm25Index &index)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return false;
    QDataStream in(&f);
    quint32 magic = 0, version = 0;
    QByteArray stored;
    in >> magic >> version >> stored;
    if (in.status() != QDataStream::Ok || magic != kTextCacheMagic || version != kCacheVersion || stored != key)
        return false;
    in >> ids;
    auto bm25 = Bm25Index::read(in);
    if (!bm25 || in.status() != QDataStream::Ok || bm25->size() != ids.size())
        return false;
    index = std::move(*bm25);
    return true;
}

Status writeTextCache(const QString &path, const QByteArray &key, const QVector<qint64> &ids, const Bm25Index &index)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return makeError(ErrorCode::IoError, f.errorString(), path);
    QDataStream out(&f);
    out << kTextCacheMagic << kCacheVersion << key << ids;
    index.write(out);
    if (out.status() != QDataStream::Ok || !f.commit())
        return makeError(ErrorCode::IoError, QStringLiteral("could not write the search cache: %1").arg(f.errorString()), path);
    return {};
}

QByteArray denseKey(const QVector<qint64> &ids, const Matrix &vectors)
{
    QCryptographicHash h(QCryptographicHash::Sha1);
    h.addData(QByteArray(QByteArray::number(kCacheVersion) + ' ' + QByteArray::number(vectors.rows) + ' ' + QByteArray::number(vectors.cols)));
    h.addData(QByteArrayView(reinterpret_cast<const char *>(ids.constData()), ids.size() * qsizetype(sizeof(qint64))));
    h.addData(QByteArrayView(reinterpret_cast<const char *>(vectors.data.data()), qsizetype(vectors.data.size() * sizeof(float))));
    return h.result().toHex();
}

// The IVF index for `vectors` from the cache when its key file matches, else
// built and cached. The key file is removed before and written after the
// index, so a crash in between leaves a miss, never a wrong index.
Result<HierarchicalRetriever> cachedIvf(ProjectStore &store, const QVector<qint64> &ids, const Matrix &vectors, JobContext &ctx, bool *fromCache)
{
    const QString path = denseCachePath(store), keyPath = path + QStringLiteral(".key");
    const QByteArray key = denseKey(ids, vectors);
    QFile keyFile(keyPath);
    if (keyFile.open(QIODevice::ReadOnly) && keyFile.readAll() == key) {
        keyFile.close();
        auto ivf = HierarchicalRetriever::load(path);
        if (ivf && ivf->sentenceCount() == vectors.rows && ivf->dimension() == vectors.cols) {
            *fromCache = true;
            return ivf;
        }
    }
    keyFile.close();
    auto ivf = buildIvf(vectors);
    if (!ivf)
        return ivf;
    QFile::remove(keyPath);
    QDir().mkpath(QFileInfo(path).absolutePath());
    Status saved = ivf->save(path);
    if (saved) {
        QSaveFile k(keyPath);
        if (!k.open(QIODevice::WriteOnly) || k.write(key) != key.size() || !k.commit())
            saved = makeError(ErrorCode::IoError, k.errorString(), keyPath);
    }
    if (!saved)
        ctx.warn(QStringLiteral("the search index was not cached: %1").arg(saved.error().toString()), path);
    return ivf;
}

// A template: ImageSearch::Impl is private, but a deduced type needs no name.
template <typename SearchImpl>
void setVectors(SearchImpl &m, QVector<qint64> ids, Matrix vectors)
{
    m.vectorIds = std::move(ids);
    m.vectors = std::move(vectors);
    m.vectorRow.clear();
    m.vectorRow.reserve(m.vectorIds.size());
    for (qsizetype i = 0; i < m.vectorIds.size(); ++i)
        m.vectorRow.insert(m.vectorIds[i], i);
}

} // namespace

Result<ImageSearch> ImageSearch::build(ImageSearchData data)
{
    ImageSearch s;
    Impl &m = *s.m_impl;
    if (data.vectors.rows > kExactImages) {
        auto ivf = buildIvf(data.vectors);
        if (!ivf)
            return ivf.error();
        m.ivf.emplace(std::move(*ivf));
        m.probes = probesFor(int(m.ivf->clustering().centroids.rows));
    }
    m.textIds = std::move(data.textIds);
    m.lexical = Bm25Index::build(data.texts);
    setVectors(m, std::move(data.vectorIds), std::move(data.vectors));
    m.encoder = std::move(data.encoder);
    m.encoderError = data.encoderError;
    return s;
}

namespace {

// Runs `sql` and calls `visit(row, columns)` for each row of its result.
Status forEachRow(ProjectStore &store, const QString &sql, const std::function<void(const QSqlQuery &, int)> &visit)
{
    auto q = store.exec(sql);
    if (!q)
        return q.error();
    const int columns = q->record().count();
    while (q->next())
        visit(*q, columns);
    return {};
}

} // namespace

Result<QByteArray> ImageSearch::textInputsKey(ProjectStore &store)
{
    // Each query is an index lookup or one scan of a table's narrow
    // columns: a fraction of a second at 1M images, where reading the
    // texts and rebuilding BM25 takes minutes.
    const QString queries[] = {
        QStringLiteral("SELECT name, fingerprint, finished_at FROM stages WHERE name IN ('ground', 'retrieve', 'generate') ORDER BY name"),
        QStringLiteral("SELECT count(*), max(rowid) FROM image_refs"),
        QStringLiteral("SELECT count(*), max(id) FROM expert_findings"),
        QStringLiteral("SELECT count(*), max(rowid), total(sentence_id) FROM retrievals"),
        QStringLiteral("SELECT count(*), max(created_at), total(length(synthetic_text)), total(length(caption)) FROM generations"),
        QStringLiteral("SELECT count(syn_text), max(at), total(length(syn_text)) FROM decisions"),
    };
    QCryptographicHash h(QCryptographicHash::Sha1);
    h.addData(QByteArray(QByteArray::number(kCacheVersion) + ' ' + QByteArray::number(store.dataGeneration())));
    for (const QString &sql : queries) {
        if (Status st = forEachRow(store, sql, [&h](const QSqlQuery &row, int columns) {
                for (int c = 0; c < columns; ++c)
                    h.addData(QByteArray(row.value(c).toString().toUtf8() + '\x1f'));
            });
            !st)
            return st.error();
        h.addData("\x1e");
    }
    return h.result().toHex();
}

Result<QHash<qint64, QString>> ImageSearch::imageTexts(ProjectStore &store)
{
    // Per image, its distinct texts in a fixed order (references, OCR,
    // retrieved, generated): an alt text repeated by ten pages must not
    // weigh ten times in BM25's term frequency.
    std::map<qint64, QStringList> parts;
    const auto add = [&parts](qint64 id, const QVariant &v) {
        const QString t = v.toString().trimmed();
        if (t.isEmpty())
            return;
        QStringList &list = parts[id];
        if (!list.contains(t))
            list << t;
    };
    const QString queries[] = {
        QStringLiteral("SELECT image_id, alt, title, caption FROM image_refs ORDER BY image_id, id"),
        QStringLiteral("SELECT image_id, label FROM expert_findings WHERE kind = 'ocr' AND level = 'line' ORDER BY image_id, id"),
        QStringLiteral("SELECT r.image_id, s.text FROM retrievals r JOIN sentences s ON s.id = r.sentence_id ORDER BY r.image_id, r.rank"),
        // The curator's edit replaces the generated synthetic text (what is exported).
        QStringLiteral("SELECT g.image_id, g.caption, coalesce(d.syn_text, g.synthetic_text) FROM generations g"
                       " LEFT JOIN decisions d ON d.image_id = g.image_id ORDER BY g.image_id"),
        QStringLiteral("SELECT d.image_id, d.syn_text FROM decisions d LEFT JOIN generations g ON g.image_id = d.image_id"
                       " WHERE d.syn_text IS NOT NULL AND g.image_id IS NULL"),
    };
    for (const QString &sql : queries)
        if (Status st = forEachRow(store, sql, [&add](const QSqlQuery &row, int columns) {
                for (int c = 1; c < columns; ++c)
                    add(row.value(0).toLongLong(), row.value(c));
            });
            !st)
            return st.error();
    QHash<qint64, QString> out;
    out.reserve(qsizetype(parts.size()));
    for (const auto &[id, list] : parts)
        out.insert(id, list.join(QLatin1Char('\n')));
    return out;
}

Result<ImageSearch> ImageSearch::load(ProjectStore &store, const Recipe &recipe, JobContext &ctx, int parts, LoadInfo *info)
{
    LoadInfo local;
    LoadInfo &loaded = info ? *info : local;
    loaded = LoadInfo();
    ImageSearch s;
    Impl &m = *s.m_impl;
    ctx.progress(0, 3, QStringLiteral("reading image texts"));
    if (parts & TextPart) {
        auto key = textInputsKey(store);
        if (!key)
            return key.error();
        const QString path = textCachePath(store);
        loaded.textFromCache = readTextCache(path, *key, m.textIds, m.lexical);
        if (!loaded.textFromCache) {
            auto texts = imageTexts(store);
            if (!texts)
                return texts.error();
            m.textIds = texts->keys().toVector();
            std::sort(m.textIds.begin(), m.textIds.end());
            QStringList docs;
            docs.reserve(m.textIds.size());
            for (qint64 id : std::as_const(m.textIds))
                docs << texts->value(id);
            ctx.progress(0, 3, QStringLiteral("indexing image texts"));
            m.lexical = Bm25Index::build(docs);
            if (Status w = writeTextCache(path, *key, m.textIds, m.lexical); !w)
                ctx.warn(QStringLiteral("the search index was not cached: %1").arg(w.error().toString()), path);
        }
    }

    ctx.progress(1, 3, QStringLiteral("reading image embeddings"));
    auto embedded = (parts & DensePart) ? loadEmbeddedImages(store)
                                        : Result<EmbeddedImages>(makeError(ErrorCode::NotFound, QString()));
    if (embedded) {
        if (embedded->vectors.rows > kExactImages) {
            ctx.progress(1, 3, QStringLiteral("indexing image embeddings"));
            auto ivf = cachedIvf(store, embedded->ids, embedded->vectors, ctx, &loaded.denseFromCache);
            if (!ivf)
                return ivf.error();
            m.ivf.emplace(std::move(*ivf));
            m.probes = probesFor(int(m.ivf->clustering().centroids.rows));
        }
        setVectors(m, std::move(embedded->ids), std::move(embedded->vectors));
    } else if (embedded.error().code != ErrorCode::NotFound) {
        return embedded.error();
    }

    ctx.progress(2, 3, QStringLiteral("opening the encoder"));
    if (!(parts & DensePart)) {
        m.encoderError = QStringLiteral("embeddings were not loaded");
    } else if (!m.vectorIds.isEmpty()) {
        auto enc = openActiveEncoder(store, recipe);
        if (!enc) {
            m.encoderError = enc.error().toString();
        } else if ((*enc)->info().dimension != m.vectors.cols) {
            m.encoderError = QStringLiteral("the encoder gives %1 dimensions, the image embeddings have %2 (run the embed stage)")
                                 .arg((*enc)->info().dimension)
                                 .arg(m.vectors.cols);
        } else {
            m.encoder = *enc;
        }
    } else {
        m.encoderError = QStringLiteral("no image has an embedding yet (run the embed stage)");
    }
    ctx.progress(3, 3, QStringLiteral("ready"));
    return s;
}

Result<std::vector<ImageHit>> ImageSearch::text(const QString &query, int limit) const
{
    if (query.trimmed().isEmpty())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("the query is empty"));
    if (limit < 1)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("the limit must be at least 1"));
    std::vector<ImageHit> out;
    for (const Hit &h : m_impl->lexical.search(query, limit))
        out.push_back({m_impl->textIds[h.item], h.score});
    return out;
}

namespace {

Result<std::vector<ImageHit>> nearest(const Matrix &vectors, const QVector<qint64> &ids, const HierarchicalRetriever *ivf, int probes,
                                      const Matrix &query, int limit, qint64 skip)
{
    const int k = int(std::min<qint64>(vectors.rows, qint64(limit) + (skip > 0 ? 1 : 0)));
    RetrieveOptions ro;
    ro.k = k;
    ro.clusters = probes;
    auto hits = ivf ? ivf->search(query, ro) : exactSearch(vectors, query, k);
    if (!hits)
        return hits.error();
    std::vector<ImageHit> out;
    for (const Hit &h : hits->front()) {
        if (ids[h.item] == skip)
            continue;
        if (int(out.size()) >= limit)
            break;
        out.push_back({ids[h.item], h.score});
    }
    return out;
}

} // namespace

Result<std::vector<ImageHit>> ImageSearch::semantic(const QString &query, int limit) const
{
    if (query.trimmed().isEmpty())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("the query is empty"));
    if (limit < 1)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("the limit must be at least 1"));
    if (!m_impl->encoder)
        return makeError(ErrorCode::NotFound, QStringLiteral("semantic search needs the project's text encoder: ") + m_impl->encoderError);
    Result<Matrix> v = Matrix();
    {
        QMutexLocker lock(&m_impl->encoderMutex);
        JobContext ctx;
        v = m_impl->encoder->encodeTexts({query}, ctx);
    }
    if (!v)
        return v.error();
    if (v->rows != 1 || v->cols != m_impl->vectors.cols)
        return makeError(ErrorCode::Internal, QStringLiteral("the encoder returned a %1 x %2 matrix for one query").arg(v->rows).arg(v->cols));
    return nearest(m_impl->vectors, m_impl->vectorIds, m_impl->ivf ? &*m_impl->ivf : nullptr, m_impl->probes, *v, limit, 0);
}

Result<std::vector<ImageHit>> ImageSearch::similar(qint64 imageId, int limit) const
{
    if (limit < 1)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("the limit must be at least 1"));
    const auto it = m_impl->vectorRow.constFind(imageId);
    if (it == m_impl->vectorRow.constEnd())
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("image %1 has no embedding (not embedded yet, or left out before the embed stage)").arg(imageId));
    Matrix q(1, m_impl->vectors.cols);
    std::copy_n(m_impl->vectors.row(*it), q.cols, q.row(0));
    return nearest(m_impl->vectors, m_impl->vectorIds, m_impl->ivf ? &*m_impl->ivf : nullptr, m_impl->probes, q, limit, imageId);
}

qint64 ImageSearch::textCount() const
{
    return m_impl->textIds.size();
}

qint64 ImageSearch::vectorCount() const
{
    return m_impl->vectorIds.size();
}

bool ImageSearch::hasEncoder() const
{
    return m_impl->encoder != nullptr;
}

Result<QJsonArray> imageHitsJson(ProjectStore &store, const std::vector<ImageHit> &hits)
{
    QJsonArray out;
    for (const ImageHit &h : hits) {
        auto q = store.exec(QStringLiteral("SELECT coalesce(i.path, i.image_key), %1, %2 FROM images i"
                                           " LEFT JOIN decisions d ON d.image_id = i.id WHERE i.id = ?")
                                .arg(keptCondition(), selectedCondition()),
                            {h.imageId});
        if (!q)
            return q.error();
        if (!q->next())
            return makeError(ErrorCode::NotFound, QStringLiteral("no image with id %1").arg(h.imageId));
        out.append(QJsonObject{{QStringLiteral("id"), h.imageId},
                               {QStringLiteral("score"), double(h.score)},
                               {QStringLiteral("path"), q->value(0).toString()},
                               {QStringLiteral("kept"), q->value(1).toInt() != 0},
                               {QStringLiteral("selected"), q->value(2).toInt() != 0}});
    }
    return out;
}

} // namespace rs
