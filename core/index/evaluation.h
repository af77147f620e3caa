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
//  "same_document_recall_at_10", "encoder"}
Result<QJsonObject> evaluateRetrieval(ProjectStore &store, const Recipe &recipe);

} // namespace rs
