#include "core/index/evaluation.h"

#include "core/embed/embedstage.h"
#include "core/index/retrievestage.h"
#include "core/index/retriever.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"

#include <QFileInfo>
#include <QHash>
#include <QSet>

#include <cmath>

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

} // namespace

Result<QJsonObject> evaluateRetrieval(ProjectStore &store, const Recipe &recipe)
{
    auto images = loadKeptImageEmbeddings(store);
    if (!images)
        return images.error();
    auto sentences = loadKeptSentenceEmbeddings(store);
    if (!sentences)
        return sentences.error();
    if (sentences->ids.isEmpty())
        return makeError(ErrorCode::NotFound, QStringLiteral("no embedded sentences to retrieve from"));
    QHash<qint64, int> sentenceRow;
    for (int i = 0; i < sentences->ids.size(); ++i)
        sentenceRow.insert(sentences->ids[i], i);

    const double holdout = recipe.doubleValue(QStringLiteral("eval.holdout"));
    const quint64 seed = quint64(recipe.intValue(QStringLiteral("seed")));
    // Ground truth maps onto the pool: a rejected duplicate counts as the
    // kept sentence it duplicates.
    auto q = store.exec(QStringLiteral("SELECT g.image_id, CASE WHEN s.reject_reason IN ('exact_duplicate', 'normalized_duplicate')"
                                       " THEN s.duplicate_of ELSE s.id END FROM ground_truth g JOIN sentences s ON s.id = g.sentence_id"));
    if (!q)
        return q.error();
    QHash<qint64, Truth> truth;
    while (q->next()) {
        const qint64 image = q->value(0).toLongLong();
        const qint64 sentence = q->value(1).toLongLong();
        if (EmbedStage::isHeldOut(image, holdout, seed) && sentenceRow.contains(sentence))
            truth[image].sentences.insert(sentence);
    }

    Matrix queries(0, images->vectors.cols);
    QVector<qint64> evalIds;
    for (int i = 0; i < images->ids.size(); ++i) {
        if (!truth.contains(images->ids[i]))
            continue;
        evalIds.push_back(images->ids[i]);
        queries.data.insert(queries.data.end(), images->vectors.row(i), images->vectors.row(i) + images->vectors.cols);
        ++queries.rows;
    }
    QJsonObject out;
    out.insert(QStringLiteral("evaluated_images"), evalIds.size());
    out.insert(QStringLiteral("encoder"), store.meta(QStringLiteral("embed.encoder")));
    out.insert(QStringLiteral("sentence_pool"), sentences->ids.size());
    if (evalIds.isEmpty())
        return out;

    auto exact = exactSearch(sentences->vectors, queries, kTop);
    if (!exact)
        return exact.error();
    Result<HierarchicalRetriever> index = QFileInfo::exists(RetrieveStage::indexPath(store))
        ? HierarchicalRetriever::load(RetrieveStage::indexPath(store))
        : makeError(ErrorCode::NotFound, QString());
    if (!index || index->sentenceCount() != sentences->ids.size()) {
        index = HierarchicalRetriever::build(sentences->vectors, sentenceKMeansOptions(recipe, sentences->ids.size()));
        if (!index)
            return index.error();
    }
    RetrieveOptions ro;
    ro.k = kTop;
    ro.clusters = int(recipe.intValue(QStringLiteral("retrieve.clusters")));
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
    return out;
}

} // namespace rs
