#pragma once
// Everything the retrieve stage reads, typed (core/store/settingfields.h):
// its keys are the stage's fingerprint keys. Shared by the stage, the query
// texts, the fusion weights and `realsyn eval`.

#include "core/store/settingfields.h"

#include <array>

namespace rs {

struct RetrieveSettings {
    QString mode;            // hierarchical | exact | document
    int k = 0;               // texts kept per image
    int clusters = 0;        // nearest k-means centres searched
    qint64 kmeansClusters = 0; // 0 = about sqrt(sentences)
    int kmeansIterations = 0;
    double minScore = 0;
    bool ownText = true;     // query with the image's own alt/title/caption
    int contextSentences = 0;
    std::array<double, 4> weights{}; // fusion weights by signal: visual, ocr, context, lexical (core/index/fusion.h)

    template <class F>
    void fields(F &&f)
    {
        f(mode, "retrieve.mode");
        f(k, "retrieve.k");
        f(clusters, "retrieve.clusters");
        f(kmeansClusters, "retrieve.kmeans_clusters");
        f(kmeansIterations, "retrieve.kmeans_iterations");
        f(minScore, "retrieve.min_score");
        f(ownText, "retrieve.own_text");
        f(contextSentences, "retrieve.context_sentences");
        f(weights[0], "retrieve.weight_visual");
        f(weights[1], "retrieve.weight_ocr");
        f(weights[2], "retrieve.weight_context");
        f(weights[3], "retrieve.weight_lexical");
    }
    static RetrieveSettings fromRecipe(const Recipe &recipe)
    {
        RetrieveSettings s;
        readSettings(recipe, s);
        return s;
    }
};

} // namespace rs
