#include "core/pipeline/duplicatereview.h"

#include "core/embed/embeddingstore.h"
#include "core/embed/embedstage.h"
#include "core/store/curation.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"

#include <QElapsedTimer>
#include <QHash>

#include <algorithm>
#include <bit>
#include <mutex>

namespace rs {

struct DuplicateReview::Cache {
    std::mutex mutex;
    int phashDistance = -1;
    DuplicateGraph phash;
    // Embedding pairs among one set of survivors, at or above `floor`.
    std::vector<qint64> survivors;
    float floor = 2.f;
    std::vector<SimilarPair> pairs;
};

DuplicateReview::DuplicateReview() : m_cache(std::make_shared<Cache>()) {}

QString DuplicateReview::kindName(Kind kind)
{
    return kind == Kind::Phash ? QStringLiteral("phash") : QStringLiteral("embedding");
}

QString DuplicateReview::reasonOf(Kind kind)
{
    return kind == Kind::Phash ? QStringLiteral("near_duplicate") : QStringLiteral("embedding_duplicate");
}

Result<DuplicateReview> DuplicateReview::load(ProjectStore &store, const Recipe &recipe, Vectors vectors, const JobContext *ctx)
{
    DuplicateReview review;
    review.m_loadedPhashDistance = ImageFilterSettings::fromRecipe(recipe).phashDistance;
    auto in = loadImageFilterInputs(store, review.m_loadedPhashDistance, ctx);
    if (!in)
        return in.error();
    review.m_in = std::move(*in);
    review.m_in.embedding = DuplicateGraph{}; // decide() builds it for each threshold
    review.m_vectorRow.assign(review.m_in.id.size(), -1);

    if (vectors == Vectors::Load) {
        auto emb = EmbeddingStore::openInProject(store, QStringLiteral("images"));
        if (emb) {
            QVector<qint64> ids;
            for (size_t i = 0; i < review.m_in.id.size(); ++i)
                if (!review.m_in.fixedReason[i] && (*emb)->has(review.m_in.id[i])) {
                    review.m_vectorRow[i] = ids.size();
                    ids.push_back(review.m_in.id[i]);
                }
            review.m_vectors = (*emb)->get(ids);
            review.m_hasVectors = !ids.isEmpty();
        } else if (emb.error().code != ErrorCode::NotFound) {
            return emb.error();
        }
    }
    if (!review.m_hasVectors) {
        auto q = store.exec(QStringLiteral("SELECT a, b, score FROM image_pairs WHERE kind = 'embedding' ORDER BY a, b"));
        if (!q)
            return q.error();
        while (q->next())
            review.m_storedPairs.push_back({q->value(0).toLongLong(), q->value(1).toLongLong(), q->value(2).toFloat()});
    }
    return review;
}

DuplicateGraph DuplicateReview::phashGraph(int distance) const
{
    if (distance == m_loadedPhashDistance)
        return m_in.phash;
    std::lock_guard lock(m_cache->mutex);
    if (m_cache->phashDistance != distance) {
        m_cache->phash = phashDuplicateGraph(m_in, distance);
        m_cache->phashDistance = distance;
    }
    return m_cache->phash;
}

std::vector<SimilarPair> DuplicateReview::embeddingPairs(const std::vector<quint8> &extractCodes, float minSimilarity) const
{
    // The embed stage searches the images the extract filters keep.
    std::vector<qint64> survivors;
    QVector<qint64> ids;
    for (size_t i = 0; i < extractCodes.size(); ++i)
        if (!extractCodes[i] && m_vectorRow[i] >= 0) {
            survivors.push_back(qint64(i));
            ids.push_back(m_in.id[i]);
        }
    const float floor = std::min(kSimilarityFloor, minSimilarity);
    std::lock_guard lock(m_cache->mutex);
    if (m_cache->survivors != survivors || m_cache->floor > floor) {
        Matrix m(qint64(survivors.size()), m_vectors.cols);
        for (size_t k = 0; k < survivors.size(); ++k)
            std::copy_n(m_vectors.row(m_vectorRow[size_t(survivors[k])]), m.cols, m.row(qint64(k)));
        auto pairs = embeddingDuplicatePairs(m, ids, floor);
        m_cache->pairs = pairs ? std::move(*pairs) : std::vector<SimilarPair>{};
        m_cache->survivors = std::move(survivors);
        m_cache->floor = floor;
    }
    std::vector<SimilarPair> out;
    for (const SimilarPair &p : m_cache->pairs)
        if (p.similarity >= minSimilarity)
            out.push_back(p);
    return out;
}

DuplicateReview::Outcome DuplicateReview::decide(const Recipe &recipe) const
{
    QElapsedTimer timer;
    timer.start();
    const ImageFilterSettings settings = ImageFilterSettings::fromRecipe(recipe);
    const EmbedSettings embed = EmbedSettings::fromRecipe(recipe);
    ImageFilterInputs in = m_in; // shares nothing mutable with other threads
    in.phash = phashGraph(settings.phashDistance);

    std::vector<SimilarPair> pairs;
    if (embed.dedup) {
        if (m_hasVectors) {
            in.embedding = DuplicateGraph{};
            pairs = embeddingPairs(decideImageFilters(in, settings).code, float(embed.dedupThreshold));
        } else {
            pairs = m_storedPairs;
        }
    }
    std::vector<std::pair<qint64, qint64>> idPairs;
    idPairs.reserve(pairs.size());
    for (const SimilarPair &p : pairs)
        idPairs.emplace_back(p.a, p.b);
    in.embedding = pairDuplicateGraph(in, idPairs);

    const ImageVerdictColumns verdicts = decideImageFilters(in, settings);
    Outcome out;
    const Kind kinds[] = {Kind::Phash, Kind::Embedding};
    // Per row: the group it belongs to (keeper or duplicate), -1 = none.
    std::vector<qint32> groupOfRow(in.id.size(), -1);
    for (Kind kind : kinds) {
        const quint8 code = quint8(in.reasons.indexOf(reasonOf(kind)) + 1);
        QHash<qint32, qint32> groupOfKeeper;
        for (size_t i = 0; i < in.id.size(); ++i) {
            if (verdicts.code[i] != code || verdicts.duplicateOf[i] < 0)
                continue;
            const qint32 keeper = verdicts.duplicateOf[i];
            auto g = groupOfKeeper.constFind(keeper);
            if (g == groupOfKeeper.cend()) {
                g = groupOfKeeper.insert(keeper, qint32(out.groups.size()));
                Group group;
                group.kind = kind;
                group.curatorKeeper = size_t(keeper) < in.curatorKeeper.size() && in.curatorKeeper[size_t(keeper)];
                group.members.push_back({in.id[size_t(keeper)], in.width[size_t(keeper)], in.height[size_t(keeper)], 0});
                out.groups.push_back(std::move(group));
                groupOfRow[size_t(keeper)] = *g;
            }
            groupOfRow[i] = *g;
            double distance = 0;
            if (kind == Kind::Phash)
                distance = std::popcount(in.phashValue[i] ^ in.phashValue[size_t(keeper)]);
            out.groups[size_t(*g)].members.push_back({in.id[i], in.width[i], in.height[i], distance});
        }
        out.groupCount[int(kind)] = groupOfKeeper.size();
    }
    // Embedding members: the best similarity of a pair inside their group.
    QHash<qint64, double> best;
    for (const SimilarPair &p : pairs) {
        const qint64 a = in.rowOf(p.a), b = in.rowOf(p.b);
        if (a < 0 || b < 0 || groupOfRow[size_t(a)] < 0 || groupOfRow[size_t(a)] != groupOfRow[size_t(b)])
            continue;
        for (qint64 id : {p.a, p.b})
            best[id] = std::max(best.value(id, -2.0), double(p.similarity));
    }
    for (Group &g : out.groups) {
        out.duplicateCount[int(g.kind)] += qint64(g.members.size()) - 1;
        if (g.kind == Kind::Embedding)
            for (Member &m : g.members)
                m.distance = best.value(m.id, 0.0);
        // The keeper stays first; the closest copies follow.
        std::stable_sort(g.members.begin() + 1, g.members.end(), [&g](const Member &l, const Member &r) {
            if (l.distance != r.distance)
                return g.kind == Kind::Phash ? l.distance < r.distance : l.distance > r.distance;
            return l.id < r.id;
        });
    }
    std::stable_sort(out.groups.begin(), out.groups.end(), [](const Group &l, const Group &r) {
        if (l.kind != r.kind)
            return l.kind == Kind::Phash;
        if (l.members.size() != r.members.size())
            return l.members.size() > r.members.size();
        return l.keeper() < r.keeper();
    });
    out.elapsedMs = double(timer.nsecsElapsed()) / 1e6;
    return out;
}

Status applyDuplicateKeepers(ProjectStore &store, const Recipe &recipe, const std::vector<std::pair<qint64, bool>> &keepers,
                             JobContext &ctx)
{
    if (Status s = setDuplicateKeepers(store, keepers); !s)
        return s;
    // The keeper is an input of the image kernel: re-decide through the one
    // writer of verdicts, as extract and embed do.
    return redecideImages(store, recipe, ctx);
}

Status chooseDuplicateKeeper(ProjectStore &store, const Recipe &recipe, const std::vector<qint64> &group, qint64 keeper,
                             JobContext &ctx)
{
    if (std::find(group.begin(), group.end(), keeper) == group.end())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("image %1 is not in the group").arg(keeper));
    std::vector<std::pair<qint64, bool>> keepers;
    for (qint64 id : group)
        keepers.emplace_back(id, id == keeper);
    return applyDuplicateKeepers(store, recipe, keepers, ctx);
}

} // namespace rs
