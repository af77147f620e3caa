#pragma once
// The project's active encoder, as later stages need it (zero-shot tags,
// image–synthetic-text similarity): the fitted built-in model or the
// TorchScript model folder named by `embed.model`. Imported embeddings have
// no encoder here (NotFound): stages that must encode new text say so.

#include "core/embed/iencoder.h"

namespace rs {

class ProjectStore;
class Recipe;
// Opens a TorchScript (or other plugin) model folder.
Result<std::shared_ptr<IEncoder>> openEncoderFolder(const QString &folder, const Recipe &recipe);

// The encoder that produced the project's embeddings (the built-in one must
// have been fitted by the embed stage).
Result<std::shared_ptr<IEncoder>> openActiveEncoder(ProjectStore &store, const Recipe &recipe);

} // namespace rs
