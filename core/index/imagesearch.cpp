#include "core/index/imagesearch.h"

#include "core/embed/activeencoder.h"
#include "core/embed/embeddingstore.h"
#include "core/embed/embedstage.h"
#include "core/index/bm25index.h"
#include "core/index/kmeans.h"
#include "core/index/retriever.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"
#include "core/store/samplequery.h"

#include <QJsonObject>
#include <QMutex>
#include <QSqlRecord>

#include <cmath>
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

Result<ImageSearch> ImageSearch::build(ImageSearchData data)
{
    ImageSearch s;
    Impl &m = *s.m_impl;
    if (data.vectors.rows > kExactImages) {
        KMeansOptions km;
        km.clusters = defaultClusterCount(data.vectors.rows);
        km.iterations = 10; // a coarse partition for probing, not a clustering anyone reads
        km.maxPointsPerCentroid = 64;
        auto ivf = HierarchicalRetriever::build(data.vectors, km);
        if (!ivf)
            return ivf.error();
        m.ivf.emplace(std::move(*ivf));
        m.probes = std::max(8, km.clusters / 16);
    }
    m.textIds = std::move(data.textIds);
    m.lexical = Bm25Index::build(data.texts);
    m.vectorIds = std::move(data.vectorIds);
    m.vectors = std::move(data.vectors);
    m.vectorRow.reserve(m.vectorIds.size());
    for (qsizetype i = 0; i < m.vectorIds.size(); ++i)
        m.vectorRow.insert(m.vectorIds[i], i);
    m.encoder = std::move(data.encoder);
    m.encoderError = data.encoderError;
    return s;
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
    for (const QString &sql : queries) {
        auto q = store.exec(sql);
        if (!q)
            return q.error();
        const int columns = q->record().count();
        while (q->next())
            for (int c = 1; c < columns; ++c)
                add(q->value(0).toLongLong(), q->value(c));
    }
    QHash<qint64, QString> out;
    out.reserve(qsizetype(parts.size()));
    for (const auto &[id, list] : parts)
        out.insert(id, list.join(QLatin1Char('\n')));
    return out;
}

Result<ImageSearch> ImageSearch::load(ProjectStore &store, const Recipe &recipe, JobContext &ctx, int parts)
{
    ImageSearchData data;
    ctx.progress(0, 3, QStringLiteral("reading image texts"));
    if (parts & TextPart) {
        auto texts = imageTexts(store);
        if (!texts)
            return texts.error();
        data.textIds = texts->keys().toVector();
        std::sort(data.textIds.begin(), data.textIds.end());
        data.texts.reserve(data.textIds.size());
        for (qint64 id : std::as_const(data.textIds))
            data.texts << texts->value(id);
    }

    ctx.progress(1, 3, QStringLiteral("reading image embeddings"));
    auto emb = (parts & DensePart) ? EmbeddingStore::openInProject(store, QStringLiteral("images"))
                                   : Result<std::unique_ptr<EmbeddingStore>>(makeError(ErrorCode::NotFound, QString()));
    if (emb) {
        auto q = store.exec(QStringLiteral("SELECT id FROM images ORDER BY id"));
        if (!q)
            return q.error();
        while (q->next()) {
            const qint64 id = q->value(0).toLongLong();
            if ((*emb)->has(id))
                data.vectorIds.push_back(id);
        }
        data.vectors = (*emb)->get(data.vectorIds);
    } else if (emb.error().code != ErrorCode::NotFound) {
        return emb.error();
    }

    ctx.progress(2, 3, QStringLiteral("opening the encoder"));
    if (!(parts & DensePart)) {
        data.encoderError = QStringLiteral("embeddings were not loaded");
    } else if (!data.vectorIds.isEmpty()) {
        auto enc = openActiveEncoder(store, recipe);
        if (!enc) {
            data.encoderError = enc.error().toString();
        } else if ((*enc)->info().dimension != data.vectors.cols) {
            data.encoderError = QStringLiteral("the encoder gives %1 dimensions, the image embeddings have %2 (run the embed stage)")
                                    .arg((*enc)->info().dimension)
                                    .arg(data.vectors.cols);
        } else {
            data.encoder = *enc;
        }
    } else {
        data.encoderError = QStringLiteral("no image has an embedding yet (run the embed stage)");
    }
    ctx.progress(3, 3, QStringLiteral("indexing"));
    return build(std::move(data));
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
