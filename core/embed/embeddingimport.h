#pragma once
// Importing embeddings computed elsewhere (`realsyn import-embeddings`): a
// text file of item ids, one per line in row order, and a NumPy (n, d)
// float16/float32 matrix. The vectors are normalised and written to the
// project's embedding store under the model's name, and the recipe's
// embed.model becomes "imported:<model>" (saved), so the embed stage keeps
// them and the later stages go stale.
//
// Malformed input is an error that names the file and line or row, and
// nothing is written: an id that is not an integer, an id not in the
// project, an id listed twice, a row count that differs from the id count,
// a row of zeros, a width other than that of the other
// kind's vectors of the same model (images and texts must share one space),
// and any .npy that readNpyMatrix refuses.
//
// Thread-safety: runs on the thread that owns `store`.

#include "core/store/projectstore.h"
#include "core/store/recipe.h"
#include "core/util/result.h"

#include <QString>

namespace rs {

struct EmbeddingImportOptions {
    QString kind;        // "image" (rows are images) or "text" (rows are sentences)
    QString idsPath;     // UTF-8 text: one id per line; blank lines are skipped
    QString vectorsPath; // .npy, (n, d)
    QString model = QStringLiteral("imported"); // name of the model that made the vectors
};

struct EmbeddingImportReport {
    qint64 rows = 0;
    int dims = 0;
    // Vectors of another model (or width) of this kind were in the store and are gone.
    bool clearedOtherModel = false;
};

// The kinds importEmbeddings() accepts: "image", "text".
QStringList embeddingImportKinds();

Result<EmbeddingImportReport> importEmbeddings(ProjectStore &store, Recipe &recipe, const EmbeddingImportOptions &options);

} // namespace rs
