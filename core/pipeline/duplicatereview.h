#pragma once
// DuplicateReview: the near-duplicate groups of a project as the curator
// reviews them, perceptual-hash groups (extract, extract.phash_distance) and
// embedding groups (embed, embed.dedup_threshold), with each member's
// distance, for any value of the two settings.
//
// Groups are not computed here: decide() runs the image decision kernel
// (decideImageFilters, core/extract/imagefilters.h) that the stages,
// LiveDecisions, stats and the inspector use, and reads the groups off its
// verdicts (each near_duplicate / embedding_duplicate row and the row it is a
// duplicate of). So the groups at the applied settings are exactly the
// stored verdicts, and the curator's keeper (core/store/curation.h) keeps in
// them as it does in every re-run.
//
// Another extract.phash_distance rebuilds the hash graph from the hashes held
// here (nearDuplicateGraph). Another embed.dedup_threshold needs the image
// vectors (load(..., Vectors::Load)): the survivors of the extract filters
// are searched as the embed stage searches them (embeddingDuplicatePairs),
// once per set of survivors at a floor similarity, and each threshold takes
// the pairs at or above it (the same pairs, see embeddingduplicates.h).
// Without vectors the embed stage's stored pairs are used as they are.
//
// Memory: the kernel's image columns plus, with vectors, 4 * dimension bytes
// per embedded image. Thread-safety: a loaded object is immutable except for
// its internal caches, which are guarded; decide() may run on any thread.

#include "core/extract/imagefilters.h"
#include "core/embed/embeddingduplicates.h"
#include "core/util/jobcontext.h"
#include "core/util/matrix.h"
#include "core/util/result.h"

#include <QString>

#include <memory>
#include <vector>

namespace rs {

class ProjectStore;
class Recipe;

class DuplicateReview {
public:
    enum class Kind { Phash, Embedding };
    enum class Vectors { Stored, Load };

    struct Member {
        qint64 id = 0;
        qint32 width = 0, height = 0;
        // Phash: Hamming distance (bits) of its hash from the keeper's (the
        // keeper: 0). Embedding: the highest cosine similarity with another
        // member of its group (the pair that joined it).
        double distance = 0;
    };
    struct Group {
        Kind kind = Kind::Phash;
        bool curatorKeeper = false; // the keeper is the curator's choice
        std::vector<Member> members; // the keeper first, then the closest first
        qint64 keeper() const { return members.empty() ? 0 : members.front().id; }
    };
    struct Outcome {
        std::vector<Group> groups; // phash groups, then embedding groups; largest first
        qint64 groupCount[2] = {0, 0};     // per Kind
        qint64 duplicateCount[2] = {0, 0}; // members that do not keep, per Kind
        double elapsedMs = 0;
    };

    // Reads the kernel's inputs (and, with Vectors::Load, every embedded
    // image's vector when the project has embeddings). ctx (optional) gets
    // progress and can cancel.
    static Result<DuplicateReview> load(ProjectStore &store, const Recipe &recipe, Vectors vectors, const JobContext *ctx = nullptr);

    // The groups under `recipe` (its image filter settings, phash distance,
    // embed.dedup and embed.dedup_threshold).
    Outcome decide(const Recipe &recipe) const;

    // The lowest embed.dedup_threshold searched once per set of survivors;
    // a lower one is searched on its own.
    static constexpr float kSimilarityFloor = 0.80f;

    // "phash" | "embedding" (the CLI's JSON) and the reason each kind's
    // duplicates get (registry code).
    static QString kindName(Kind kind);
    static QString reasonOf(Kind kind);

    DuplicateReview();

private:
    struct Cache;
    DuplicateGraph phashGraph(int distance) const;
    std::vector<SimilarPair> embeddingPairs(const std::vector<quint8> &extractCodes, float minSimilarity) const;

    ImageFilterInputs m_in; // without the embedding graph: decide() builds it
    std::vector<SimilarPair> m_storedPairs; // the embed stage's, when vectors are not loaded
    int m_loadedPhashDistance = 0;           // m_in.phash is built for it
    bool m_hasVectors = false;
    Matrix m_vectors;            // one row per image row in m_vectorRow >= 0
    std::vector<qint64> m_vectorRow; // per image row: row of m_vectors, -1 = none
    std::shared_ptr<Cache> m_cache;
};

// Stores the curator's keeper of a group and re-decides every image verdict
// (redecideImages): `keeper` keeps, every other member of `group` loses a
// keeper mark it had. `keeper` must be in `group`.
Status chooseDuplicateKeeper(ProjectStore &store, const Recipe &recipe, const std::vector<qint64> &group, qint64 keeper,
                             JobContext &ctx);
// Sets keeper marks as given (an undo restoring earlier marks; (id, false)
// returns a group to the automatic keeper) and re-decides.
Status applyDuplicateKeepers(ProjectStore &store, const Recipe &recipe, const std::vector<std::pair<qint64, bool>> &keepers,
                             JobContext &ctx);

} // namespace rs
