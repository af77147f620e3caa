#pragma once
// The curator's search over images: full text, semantic, and "more like
// this". The CLI (`realsyn search`) and the studio's search box run this
// same code.
//
// Full text: every text of an image — its references' alt, title and figure
// caption, its OCR lines, its retrieved realistic texts, its concise caption
// and synthetic text (the curator's edit when there is one) — joined into one
// document per image and ranked with the lexical retrieval's own BM25 index
// (Bm25Index: same tokenizer, stop words, query-term cap and scoring), so a
// word matches here exactly as it matches in retrieval.
//
// Semantic: the query is encoded with the project's active encoder's text
// tower and images are ranked by inner product with their embeddings: up to
// kExactImages images by FAISS brute force (exactSearch(), exact and cheap),
// above that through a FAISS IVF index over the image vectors (the k-means
// hierarchy of HierarchicalRetriever, sqrt(n) centres, the nearest
// 1/16 of them probed): one brute-force pass over 1M images costs ~100 ms
// on one core, the probed lists ~5 ms.
//
// More like this: the same search with an image's own embedding as the
// query; the image itself is left out.
//
// Cache: load() keeps what it builds in the project (cache/search-text.bin:
// the BM25 index and its image ids; cache/search-dense.ivf: the IVF index),
// each keyed by its inputs, so the next `realsyn search` or studio session
// reads it instead of rebuilding it (minutes at 1M images). The text key is
// the data generation, the runs of the stages that write texts (ground,
// retrieve, generate) and the size and last change of each text table,
// curator edits included, read in a few cheap queries without reading the
// texts; the dense key is a digest of the ids and vector values.
//
// Ownership and threads: an ImageSearch owns its index, its vectors and a
// shared encoder; after build() every method is const and may be called from
// any thread (semantic() calls the encoder, which encoders allow from one
// thread at a time at least, so it serialises on an internal mutex).

#include "core/util/jobcontext.h"
#include "core/util/matrix.h"
#include "core/util/result.h"

#include <QHash>
#include <QJsonArray>
#include <QString>
#include <QStringList>
#include <QVector>

#include <memory>
#include <vector>

namespace rs {

class IEncoder;
class ProjectStore;
class Recipe;

struct ImageHit {
    qint64 imageId = 0;
    float score = 0; // BM25 score (text) or inner product (semantic, similar)
};

enum class SearchMode { Text, Semantic, Similar };
QString searchModeName(SearchMode mode); // "text", "semantic", "similar"

// What an ImageSearch is built from. Rows of `texts` follow `textIds`, rows
// of `vectors` follow `vectorIds` (unit rows, as the embedding store holds).
struct ImageSearchData {
    QVector<qint64> textIds;
    QStringList texts;
    QVector<qint64> vectorIds;
    Matrix vectors;
    std::shared_ptr<IEncoder> encoder; // null: semantic search says why not
    QString encoderError;              // why there is no encoder
};

class ImageSearch {
public:
    // Above this many embedded images, dense search goes through the IVF
    // index (approximate: the probed clusters) instead of brute force.
    static constexpr qint64 kExactImages = 50000;

    ImageSearch();
    ImageSearch(ImageSearch &&) noexcept;
    ImageSearch &operator=(ImageSearch &&) noexcept;
    ~ImageSearch();

    // Builds the BM25 index and, above kExactImages vectors, the IVF index
    // (k-means: seconds at 1M). Errors only from the k-means (Internal).
    static Result<ImageSearch> build(ImageSearchData data);

    // What load() reads and indexes: a command that runs one query needs
    // only its part (the BM25 index and the IVF index each take minutes at 1M).
    enum Part { TextPart = 1, DensePart = 2, AllParts = TextPart | DensePart };

    // Which parts load() read from the project's cache.
    struct LoadInfo {
        bool textFromCache = false;
        bool denseFromCache = false;
    };

    // Reads every image's texts (TextPart) and every embedded image's vector
    // (DensePart) from the project and opens the active encoder (a project
    // without one, e.g. imported vectors or embed not run, still searches by
    // text). A part not loaded finds nothing (text) or says so (dense).
    // Indices come from the project's cache when their key matches, else are
    // built and cached (a failure to write the cache is a warning on ctx).
    static Result<ImageSearch> load(ProjectStore &store, const Recipe &recipe, JobContext &ctx, int parts = AllParts,
                                    LoadInfo *info = nullptr);
    // The key of the text part's inputs (see Cache above), hex.
    static Result<QByteArray> textInputsKey(ProjectStore &store);

    // The texts load() indexes for each image id (ascending), one document
    // per image that has any text.
    static Result<QHash<qint64, QString>> imageTexts(ProjectStore &store);

    // Top `limit` images for a free-text query, best first (empty when no
    // query word is indexed). InvalidArgument: empty query, limit < 1.
    Result<std::vector<ImageHit>> text(const QString &query, int limit) const;
    // Top `limit` images by the encoded query. NotFound: no encoder (the
    // error says why) or no embedded image.
    Result<std::vector<ImageHit>> semantic(const QString &query, int limit) const;
    // Top `limit` other images nearest to image `imageId`. NotFound: the
    // image has no embedding (not embedded yet, or rejected before embed).
    Result<std::vector<ImageHit>> similar(qint64 imageId, int limit) const;

    qint64 textCount() const;   // images with a text document
    qint64 vectorCount() const; // images with an embedding
    bool hasEncoder() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// The hits as `realsyn search --json` prints them, in their order:
// [{"id", "score", "path", "kept", "selected"}, ...].
Result<QJsonArray> imageHitsJson(ProjectStore &store, const std::vector<ImageHit> &hits);

} // namespace rs
