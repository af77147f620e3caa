#pragma once
// Retrieval quality against the ground truth that documents carry (figure
// captions, alt texts, MMC4's matched sentences), on the images held out of
// encoder fitting (eval.holdout). A hit is the ground-truth sentence itself
// (or the kept sentence it duplicates) among an image's top retrieved texts.

#include "core/util/result.h"

#include <QJsonObject>

namespace rs {

class ProjectStore;
class Recipe;

// {"evaluated_images", "hierarchical": {"recall_at_1", "recall_at_3",
//  "recall_at_10"}, "exact": {...}, "overlap_at_3", "random_recall_at_10",
//  "same_document_recall_at_10", "encoder",
//  "signals": {"visual"|"ocr"|"context"|"lexical"|"fused":
//              {"recall_at_1", "recall_at_3", "recall_at_10", "images"}}}
// hierarchical/exact rank by the image embedding alone (the paper's
// retrieval); `signals` rank by one signal of fused retrieval, or all fused
// with the recipe's weights, in the recipe's dense mode. The fused queries
// are strict (querytexts.h): the image's own alt/title/caption and every
// context sentence equal to a ground-truth text are hidden from the query,
// the ground truth stays in the pool. Recall is over all evaluated images:
// one a signal cannot query (no OCR text, say) is a miss for it; `images`
// counts those it could query.
Result<QJsonObject> evaluateRetrieval(ProjectStore &store, const Recipe &recipe);

// Chooses fusion weights on the validation split (eval.validation: images
// neither held out for testing nor used to fit the built-in encoder), never
// on the test split: a grid over the four weights, maximising recall@3 +
// recall@10 of strict fused retrieval (ties: the earlier grid point, which
// has the smaller weights). {"weights": {"visual", "ocr", "context",
// "lexical"}, "validation_images", "recall_at_1", "recall_at_3",
// "recall_at_10", "current": {recall of the recipe's weights}, "grid_points"}
Result<QJsonObject> tuneFusionWeights(ProjectStore &store, const Recipe &recipe);

} // namespace rs
