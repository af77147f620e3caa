#include "core/index/evaluation.h"

#include "core/embed/embedstage.h"
#include "core/index/fusion.h"
#include "core/index/querytexts.h"
#include "core/index/retrievestage.h"
#include "core/index/retriever.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"
#include "core/store/globalsettings.h"
#include "core/index/retrievesettings.h"
#include "core/index/evalsplits.h"

#include <QFileInfo>
#include <QHash>
#include <QSet>

#include <cmath>
#include <functional>

namespace rs {

namespace {

constexpr int kTop = 10;

struct Truth {
    QSet<qint64> sentences; // ground-truth sentence ids in the pool
};

// P(at least one of g relevant items among the first k of a random order of n).
double randomRecall(qint64 n, qint64 g, int k)
{
    if (g <= 0 || n <= 0)
        return 0;
    if (k >= n)
        return 1;
    double missAll = 1;
    for (int i = 0; i < k; ++i)
        missAll *= double(n - g - i) / double(n - i);
    return 1 - std::max(0.0, missAll);
}

// Ground truth per image, mapped onto the pool: a rejected duplicate counts
// as the kept sentence it duplicates.
Result<QHash<qint64, Truth>> loadTruth(ProjectStore &store, const QHash<qint64, qint64> &sentenceRow,
                                       const std::function<bool(qint64)> &inSplit)
{
    auto q = store.exec(QStringLiteral("SELECT g.image_id, CASE WHEN s.reject_reason IN ('exact_duplicate', 'normalized_duplicate')"
                                       " THEN s.duplicate_of ELSE s.id END FROM ground_truth g JOIN sentences s ON s.id = g.sentence_id"));
    if (!q)
        return q.error();
    QHash<qint64, Truth> truth;
    while (q->next()) {
        const qint64 image = q->value(0).toLongLong();
        const qint64 sentence = q->value(1).toLongLong();
        if (inSplit(image) && sentenceRow.contains(sentence))
            truth[image].sentences.insert(sentence);
    }
    return truth;
}

// The kept embedded images that have ground truth, in id order.
EmbeddedItems withTruth(const EmbeddedItems &images, const QHash<qint64, Truth> &truth)
{
    EmbeddedItems out;
    out.vectors = Matrix(0, images.vectors.cols);
    for (int i = 0; i < images.ids.size(); ++i) {
        if (!truth.contains(images.ids[i]))
            continue;
        out.ids.push_back(images.ids[i]);
        out.vectors.data.insert(out.vectors.data.end(), images.vectors.row(i), images.vectors.row(i) + images.vectors.cols);
        ++out.vectors.rows;
    }
    return out;
}

// The hierarchical index the retrieve stage saved, or a new one when it is
// missing or out of date.
Result<HierarchicalRetriever> sentenceIndex(ProjectStore &store, const Recipe &recipe, const Matrix &sentences)
{
    Result<HierarchicalRetriever> index = QFileInfo::exists(RetrieveStage::indexPath(store))
        ? HierarchicalRetriever::load(RetrieveStage::indexPath(store))
        : makeError(ErrorCode::NotFound, QString());
    if (!index || index->sentenceCount() != sentences.rows)
        index = HierarchicalRetriever::build(sentences, sentenceKMeansOptions(recipe, sentences.rows));
    return index;
}

// Strict fused candidates for `images` (see evaluation.h).
Result<CandidateLists> strictCandidates(ProjectStore &store, const Recipe &recipe, const SentencePool &pool,
                                        const HierarchicalRetriever &index, const EmbeddedItems &images)
{
    JobContext quiet; // evaluation reports figures, not per-image notes
    QueryTextOptions opts = QueryTextOptions::fromRecipe(recipe);
    opts.strict = true;
    auto texts = loadQueryTexts(store, images.ids, opts, quiet);
    if (!texts)
        return texts.error();
    auto input = buildFusionInput(store, recipe, images, pool, *texts, quiet);
    if (!input)
        return input.error();
    return gatherCandidates(*input, denseSearchFor(recipe, pool.items.vectors, &index), FusionOptions{});
}

struct Recall {
    double at1 = 0, at3 = 0, at10 = 0;
    int images = 0; // images the ranking could query (a non-empty list)
};

Recall fusedRecall(const CandidateLists &cands, const SentencePool &pool, const QVector<qint64> &ids,
                   const QHash<qint64, Truth> &truth, const SignalWeights &weights)
{
    Recall r;
    if (ids.isEmpty())
        return r;
    for (int i = 0; i < ids.size(); ++i) {
        const std::vector<Hit> hits = rankCandidates(cands[size_t(i)], weights, kTop);
        if (!hits.empty())
            ++r.images;
        const Truth &t = truth[ids[i]];
        for (int rank = 0; rank < int(hits.size()); ++rank)
            if (t.sentences.contains(pool.items.ids[hits[size_t(rank)].item])) {
                r.at1 += rank < 1 ? 1 : 0;
                r.at3 += rank < 3 ? 1 : 0;
                r.at10 += 1;
                break;
            }
    }
    r.at1 /= ids.size();
    r.at3 /= ids.size();
    r.at10 /= ids.size();
    return r;
}

QJsonObject recallJson(const Recall &r)
{
    return QJsonObject{{QStringLiteral("recall_at_1"), r.at1},
                       {QStringLiteral("recall_at_3"), r.at3},
                       {QStringLiteral("recall_at_10"), r.at10},
                       {QStringLiteral("images"), r.images}};
}

// What measuring (the test split) and tuning (the validation split) both
// start from: the sentence pool, and the split's images that have ground
// truth, with their embeddings and truth.
struct SplitInputs {
    SentencePool pool;
    QHash<qint64, Truth> truth;
    EmbeddedItems images;
};

Result<SplitInputs> loadSplitInputs(ProjectStore &store, const std::function<bool(qint64)> &inSplit)
{
    auto images = loadKeptImageEmbeddings(store);
    if (!images)
        return images.error();
    auto pool = loadSentencePool(store);
    if (!pool)
        return pool.error();
    if (pool->items.ids.isEmpty())
        return makeError(ErrorCode::NotFound, QStringLiteral("no embedded sentences to retrieve from"));
    auto truth = loadTruth(store, pool->row, inSplit);
    if (!truth)
        return truth.error();
    SplitInputs in{std::move(*pool), std::move(*truth), {}};
    in.images = withTruth(*images, in.truth);
    return in;
}

} // namespace

Result<QJsonObject> evaluateRetrieval(ProjectStore &store, const Recipe &recipe)
{
    const double holdout = EmbedSettings::fromRecipe(recipe).holdout;
    const quint64 seed = GlobalSettings::fromRecipe(recipe).seed;
    auto inputs = loadSplitInputs(store, [&](qint64 image) { return isHeldOut(image, holdout, seed); });
    if (!inputs)
        return inputs.error();
    const SentencePool *pool = &inputs->pool;
    const EmbeddedItems *sentences = &pool->items;
    QHash<qint64, Truth> &truth = inputs->truth;
    const EmbeddedItems &evalImages = inputs->images;
    const Matrix &queries = evalImages.vectors;
    const QVector<qint64> &evalIds = evalImages.ids;
    QJsonObject out;
    out.insert(QStringLiteral("evaluated_images"), evalIds.size());
    out.insert(QStringLiteral("encoder"), store.meta(QStringLiteral("embed.encoder")));
    out.insert(QStringLiteral("sentence_pool"), sentences->ids.size());
    if (evalIds.isEmpty())
        return out;

    auto exact = exactSearch(sentences->vectors, queries, kTop);
    if (!exact)
        return exact.error();
    auto index = sentenceIndex(store, recipe, sentences->vectors);
    if (!index)
        return index.error();
    RetrieveOptions ro;
    ro.k = kTop;
    ro.clusters = RetrieveSettings::fromRecipe(recipe).clusters;
    auto hier = index->search(queries, ro);
    if (!hier)
        return hier.error();

    auto recall = [&](const HitLists &hits) {
        QJsonObject o;
        for (int k : {1, 3, 10}) {
            int found = 0;
            for (int i = 0; i < evalIds.size(); ++i) {
                const Truth &t = truth[evalIds[i]];
                for (int r = 0; r < std::min<int>(k, int(hits[i].size())); ++r)
                    if (t.sentences.contains(sentences->ids[hits[i][r].item])) {
                        ++found;
                        break;
                    }
            }
            o.insert(QStringLiteral("recall_at_%1").arg(k), double(found) / evalIds.size());
        }
        return o;
    };
    out.insert(QStringLiteral("hierarchical"), recall(*hier));
    out.insert(QStringLiteral("exact"), recall(*exact));

    double overlap = 0, randomSum = 0;
    for (int i = 0; i < evalIds.size(); ++i) {
        QSet<qint64> a, b;
        for (int r = 0; r < std::min<int>(3, int((*hier)[i].size())); ++r)
            a.insert((*hier)[i][r].item);
        for (int r = 0; r < std::min<int>(3, int((*exact)[i].size())); ++r)
            b.insert((*exact)[i][r].item);
        overlap += double((a & b).size()) / 3.0;
        randomSum += randomRecall(sentences->ids.size(), truth[evalIds[i]].sentences.size(), kTop);
    }
    out.insert(QStringLiteral("overlap_at_3"), overlap / evalIds.size());
    out.insert(QStringLiteral("random_recall_at_10"), randomSum / evalIds.size());

    // Baseline without any model: the image's own page's sentences, nearest
    // in the page first.
    int sameDocFound = 0;
    for (qint64 image : evalIds) {
        auto refs = store.exec(QStringLiteral("SELECT document_id, position FROM image_refs WHERE image_id = ?"), {image});
        if (!refs)
            return refs.error();
        QVector<QPair<int, qint64>> ranked; // (distance in the page, sentence id)
        while (refs->next()) {
            auto s = store.exec(QStringLiteral("SELECT id, block FROM sentences WHERE document_id = ? AND reject_reason IS NULL"),
                                {refs->value(0)});
            if (!s)
                return s.error();
            const int pos = refs->value(1).toInt();
            while (s->next())
                ranked.push_back({std::abs(s->value(1).toInt() - pos), s->value(0).toLongLong()});
        }
        std::stable_sort(ranked.begin(), ranked.end());
        for (int r = 0; r < std::min<int>(kTop, int(ranked.size())); ++r)
            if (truth[image].sentences.contains(ranked[r].second)) {
                ++sameDocFound;
                break;
            }
    }
    out.insert(QStringLiteral("same_document_recall_at_10"), double(sameDocFound) / evalIds.size());

    auto cands = strictCandidates(store, recipe, *pool, *index, evalImages);
    if (!cands)
        return cands.error();
    QJsonObject signals;
    for (int sig = 0; sig < kSignalCount; ++sig)
        signals.insert(signalName(sig), recallJson(fusedRecall(*cands, *pool, evalIds, truth, SignalWeights::only(sig))));
    signals.insert(QStringLiteral("fused"), recallJson(fusedRecall(*cands, *pool, evalIds, truth, SignalWeights::fromRecipe(recipe))));
    out.insert(QStringLiteral("signals"), signals);
    return out;
}

Result<QJsonObject> tuneFusionWeights(ProjectStore &store, const Recipe &recipe)
{
    const EmbedSettings splits = EmbedSettings::fromRecipe(recipe);
    const double holdout = splits.holdout;
    const double validation = splits.validation;
    const quint64 seed = GlobalSettings::fromRecipe(recipe).seed;
    // Only the validation split: the test split (eval.holdout) is never seen here.
    auto inputs = loadSplitInputs(store, [&](qint64 image) { return isValidation(image, holdout, validation, seed); });
    if (!inputs)
        return inputs.error();
    const SentencePool *pool = &inputs->pool;
    const QHash<qint64, Truth> *truth = &inputs->truth;
    const EmbeddedItems &val = inputs->images;
    if (val.ids.isEmpty())
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("no validation images with ground truth (eval.validation = %1)").arg(validation));
    auto index = sentenceIndex(store, recipe, pool->items.vectors);
    if (!index)
        return index.error();
    auto cands = strictCandidates(store, recipe, *pool, *index, val);
    if (!cands)
        return cands.error();

    // Coarse grid; the visual weight has its own scale since the image
    // embedding is the weakest signal on manual-style corpora.
    static const float visualGrid[] = {0.f, 0.1f, 0.2f, 0.5f, 1.f};
    static const float textGrid[] = {0.f, 0.25f, 0.5f, 1.f, 2.f};
    SignalWeights best;
    Recall bestRecall;
    double bestObjective = -1;
    int points = 0;
    for (float wv : visualGrid)
        for (float wo : textGrid)
            for (float wc : textGrid)
                for (float wl : textGrid) {
                    if (wv + wo + wc + wl <= 0)
                        continue;
                    SignalWeights w;
                    w.w = {{wv, wo, wc, wl}};
                    ++points;
                    const Recall r = fusedRecall(*cands, *pool, val.ids, *truth, w);
                    // Strictly better only: ties keep the earlier, smaller weights.
                    if (r.at3 + r.at10 > bestObjective + 1e-9) {
                        bestObjective = r.at3 + r.at10;
                        best = w;
                        bestRecall = r;
                    }
                }
    QJsonObject weights;
    for (int sig = 0; sig < kSignalCount; ++sig)
        weights.insert(signalName(sig), double(best.w[size_t(sig)]));
    QJsonObject out = recallJson(bestRecall);
    out.remove(QStringLiteral("images"));
    out.insert(QStringLiteral("weights"), weights);
    out.insert(QStringLiteral("validation_images"), val.ids.size());
    out.insert(QStringLiteral("grid_points"), points);
    out.insert(QStringLiteral("current"), recallJson(fusedRecall(*cands, *pool, val.ids, *truth, SignalWeights::fromRecipe(recipe))));
    return out;
}

} // namespace rs
