#include "core/extract/imagefilters.h"

#include "core/extract/nearduplicates.h"
#include "core/store/curation.h"
#include "core/store/nativestatement.h"
#include "core/store/projectstore.h"
#include "core/store/reasons.h"
#include "core/store/recipe.h"
#include "core/store/verdicts.h"
#include "core/util/unionfind.h"

#include <QHash>

#include <algorithm>
#include <numeric>

namespace rs {

namespace {

quint8 codeOf(const QStringList &names, const QString &reason)
{
    return quint8(names.indexOf(reason) + 1);
}

quint8 addReason(QStringList &names, const QString &reason)
{
    qsizetype i = names.indexOf(reason);
    if (i < 0) {
        names.append(reason);
        i = names.size() - 1;
    }
    return quint8(std::min<qsizetype>(i + 1, 255));
}

// The threshold tests, shared by the kernel and imageFilterChecks().
inline bool passesPixels(qint64 w, qint64 h, const ImageFilterSettings &s) { return w * h <= s.maxPixels; }
inline bool passesMinSide(qint64 w, qint64 h, const ImageFilterSettings &s) { return std::min(w, h) >= s.minSide; }
inline double aspectOf(qint64 w, qint64 h) { return double(std::max(w, h)) / double(std::max<qint64>(1, std::min(w, h))); }
inline bool passesAspect(qint64 w, qint64 h, const ImageFilterSettings &s) { return aspectOf(w, h) <= s.maxAspect; }
inline bool passesQuality(float brisque, const ImageFilterSettings &s) { return s.maxBrisque <= 0 || double(brisque) <= s.maxBrisque; }

qint64 pixels(const ImageFilterInputs &in, size_t i)
{
    return qint64(in.width[i]) * in.height[i];
}

bool isCuratorKeeper(const ImageFilterInputs &in, size_t i)
{
    return i < in.curatorKeeper.size() && in.curatorKeeper[i];
}

// Whether row i keeps before row b (b < i): a curator's keeper first, then
// the most pixels; ties keep the earlier row.
bool outranks(const ImageFilterInputs &in, size_t i, size_t b)
{
    if (isCuratorKeeper(in, i) != isCuratorKeeper(in, b))
        return isCuratorKeeper(in, i);
    return pixels(in, i) > pixels(in, b);
}

// Union-find over the graph's nodes that still have a survivor; in each
// component the curator's keeper keeps, else the survivor with the most
// pixels (ties, also between two keepers: the lowest row); the other
// survivors get `reason`.
void groupSurvivors(const ImageFilterInputs &in, ImageVerdictColumns &out, const DuplicateGraph &g, quint8 reason)
{
    if (g.nodes <= 0)
        return;
    const size_t n = in.id.size();
    std::vector<quint8> alive(size_t(g.nodes), 0);
    for (size_t i = 0; i < n; ++i)
        if (const qint32 node = g.node[i]; node >= 0 && !out.code[i])
            alive[size_t(node)] = 1;
    UnionFind uf(g.nodes);
    for (const auto &[a, b] : g.edges)
        if (alive[size_t(a)] && alive[size_t(b)])
            uf.unite(a, b);
    std::vector<qint32> best(size_t(g.nodes), -1);
    std::vector<qint32> members(size_t(g.nodes), 0);
    for (size_t i = 0; i < n; ++i) {
        const qint32 node = g.node[i];
        if (node < 0 || out.code[i])
            continue;
        const int root = uf.find(node);
        ++members[size_t(root)];
        qint32 &b = best[size_t(root)];
        if (b < 0 || outranks(in, i, size_t(b)))
            b = qint32(i);
    }
    for (size_t i = 0; i < n; ++i) {
        const qint32 node = g.node[i];
        if (node < 0 || out.code[i])
            continue;
        const int root = uf.find(node);
        if (members[size_t(root)] > 1 && best[size_t(root)] != qint32(i)) {
            out.code[i] = reason;
            out.duplicateOf[i] = best[size_t(root)];
        }
    }
}

} // namespace

ImageFilterSettings ImageFilterSettings::fromRecipe(const Recipe &recipe)
{
    ImageFilterSettings s;
    readSettings(recipe, s);
    return s;
}

QStringList ImageFilterSettings::recipeKeys(bool liveOnly)
{
    return settingKeysOf<ImageFilterSettings>(liveOnly);
}

void DuplicateGraph::compact()
{
    std::vector<qint32> members(size_t(std::max(0, nodes)), 0);
    for (qint32 v : node)
        if (v >= 0)
            ++members[size_t(v)];
    std::vector<qint32> renumber(members.size(), -1);
    qint32 next = 0;
    auto keep = [&](qint32 v) {
        if (renumber[size_t(v)] < 0)
            renumber[size_t(v)] = next++;
    };
    for (const auto &[a, b] : edges) {
        keep(a);
        keep(b);
    }
    for (size_t v = 0; v < members.size(); ++v)
        if (members[v] > 1)
            keep(qint32(v));
    for (qint32 &v : node)
        v = v >= 0 ? renumber[size_t(v)] : -1;
    for (auto &[a, b] : edges) {
        a = renumber[size_t(a)];
        b = renumber[size_t(b)];
    }
    nodes = next;
}

qint64 ImageFilterInputs::rowOf(qint64 imageId) const
{
    auto it = std::lower_bound(id.begin(), id.end(), imageId);
    return (it != id.end() && *it == imageId) ? qint64(it - id.begin()) : -1;
}

ImageVerdictColumns decideImageFilters(const ImageFilterInputs &in, const ImageFilterSettings &s)
{
    const size_t n = in.id.size();
    const QStringList &r = in.reasons;
    const quint8 cPixels = codeOf(r, QStringLiteral("too_many_pixels")), cSmall = codeOf(r, QStringLiteral("too_small")),
                 cAspect = codeOf(r, QStringLiteral("bad_aspect")), cQuality = codeOf(r, QStringLiteral("low_quality")),
                 cExact = codeOf(r, QStringLiteral("exact_duplicate")), cNear = codeOf(r, QStringLiteral("near_duplicate")),
                 cEmbedding = codeOf(r, QStringLiteral("embedding_duplicate"));
    ImageVerdictColumns out;
    out.code.assign(n, 0);
    out.duplicateOf.assign(n, -1);
    std::vector<qint32> firstOfSha(size_t(in.shaGroups), -1);
    std::vector<size_t> hashed; // rows that passed the other filters and have a hash group
    for (size_t i = 0; i < n; ++i) {
        if (in.fixedReason[i]) {
            out.code[i] = in.fixedReason[i];
            continue;
        }
        const qint64 w = in.width[i], h = in.height[i];
        if (!passesPixels(w, h, s)) // the probe used the limit in force then; a lower one now still applies
            out.code[i] = cPixels;
        else if (!passesMinSide(w, h, s))
            out.code[i] = cSmall;
        else if (!passesAspect(w, h, s))
            out.code[i] = cAspect;
        else if (!passesQuality(in.brisque[i], s))
            out.code[i] = cQuality;
        else if (const qint32 g = in.shaGroup[i]; g >= 0) {
            // Byte-identical copies: the curator's keeper keeps, else the
            // first row. (A keeper chosen in a pHash group may have an
            // identical copy earlier in the corpus; it must still keep.)
            hashed.push_back(i);
            const qint32 first = firstOfSha[size_t(g)];
            if (first < 0 || (isCuratorKeeper(in, i) && !isCuratorKeeper(in, size_t(first))))
                firstOfSha[size_t(g)] = qint32(i);
        }
    }
    for (size_t i : hashed)
        if (const qint32 first = firstOfSha[size_t(in.shaGroup[i])]; first != qint32(i)) {
            out.code[i] = cExact;
            out.duplicateOf[i] = first;
        }
    if (s.nearDuplicates)
        groupSurvivors(in, out, in.phash, cNear);
    groupSurvivors(in, out, in.embedding, cEmbedding);
    return out;
}

QVector<ImageFilterCheck> imageFilterChecks(int width, int height, float brisque, const ImageFilterSettings &s)
{
    const qint64 w = width, h = height;
    QVector<ImageFilterCheck> out = {
        {settingKeyOf(&ImageFilterSettings::maxPixels), double(w * h), double(s.maxPixels), passesPixels(w, h, s)},
        {settingKeyOf(&ImageFilterSettings::minSide), double(std::min(w, h)), double(s.minSide), passesMinSide(w, h, s)},
        {settingKeyOf(&ImageFilterSettings::maxAspect), aspectOf(w, h), s.maxAspect, passesAspect(w, h, s)},
    };
    if (s.maxBrisque > 0 && brisque >= 0)
        out.push_back({settingKeyOf(&ImageFilterSettings::maxBrisque), double(brisque), s.maxBrisque, passesQuality(brisque, s)});
    return out;
}

Result<ImageFilterInputs> loadImageFilterInputs(ProjectStore &store, int phashDistance, const JobContext *ctx)
{
    ImageFilterInputs in;
    in.reasons = reasonCodes(ReasonTable::Images);
    // Read natively, like the sentences' inputs: extract's closing decision
    // and the studio's image thresholds load every image through here, and
    // nine QVariants a row were most of it.
    auto q = NativeStatement::prepare(store, "SELECT id, refusal, failure, probed, width, height, sha256, phash, brisque FROM images ORDER BY id");
    if (!q)
        return q.error();
    QHash<QByteArray, qint32> firstBySha, groupBySha;
    in.shaGroups = 0;
    const Status read = q->forEachRow([&]() -> Status {
        const qint32 row = qint32(in.id.size());
        in.id.push_back(q->int64(0));
        const QByteArrayView refusal = q->utf8(1);
        const QByteArrayView failure = q->utf8(2);
        quint8 fixed = 0;
        if (!refusal.isEmpty())
            fixed = addReason(in.reasons, QString::fromUtf8(refusal));
        else if (!failure.isEmpty())
            fixed = addReason(in.reasons, QString::fromUtf8(failure));
        else if (q->int64(3) == 0)
            fixed = addReason(in.reasons, QStringLiteral("unreadable")); // never probed: cannot be kept
        in.fixedReason.push_back(fixed);
        in.width.push_back(int(q->int64(4)));
        in.height.push_back(int(q->int64(5)));
        in.brisque.push_back(q->isNull(8) ? -1.0f : float(q->real(8)));
        in.shaGroup.push_back(-1);
        in.phashValue.push_back(fixed ? 0 : quint64(q->int64(7)));
        if (!fixed) {
            const QByteArray sha = q->utf8(6).toByteArray();
            if (auto f = firstBySha.constFind(sha); f == firstBySha.cend()) {
                firstBySha.insert(sha, row);
            } else {
                auto g = groupBySha.constFind(sha);
                const qint32 group = g == groupBySha.cend() ? in.shaGroups++ : *g;
                if (g == groupBySha.cend()) {
                    groupBySha.insert(sha, group);
                    in.shaGroup[size_t(*f)] = group;
                }
                in.shaGroup[size_t(row)] = group;
            }
        }
        if (ctx && (in.id.size() % 65536) == 0) {
            if (ctx->isCanceled())
                return makeError(ErrorCode::Canceled, QStringLiteral("canceled"));
            ctx->progress(qint64(in.id.size()), 0, QStringLiteral("reading image scores"));
        }
        return {};
    });
    if (!read)
        return read.error();
    in.phash = phashDuplicateGraph(in, phashDistance);

    auto keepers = duplicateKeepers(store);
    if (!keepers)
        return keepers.error();
    in.curatorKeeper.assign(in.id.size(), 0);
    for (qint64 id : *keepers)
        if (const qint64 row = in.rowOf(id); row >= 0)
            in.curatorKeeper[size_t(row)] = 1;

    auto pairs = store.exec(QStringLiteral("SELECT a, b FROM image_pairs WHERE kind = 'embedding'"));
    if (!pairs)
        return pairs.error();
    std::vector<std::pair<qint64, qint64>> idPairs;
    while (pairs->next())
        idPairs.emplace_back(pairs->value(0).toLongLong(), pairs->value(1).toLongLong());
    in.embedding = pairDuplicateGraph(in, idPairs);
    return in;
}

DuplicateGraph phashDuplicateGraph(const ImageFilterInputs &in, int maxDistance)
{
    QVector<quint64> hashes;
    QVector<int> classes;
    QVector<qint32> decodableRows;
    for (size_t i = 0; i < in.id.size(); ++i) {
        if (in.fixedReason[i])
            continue;
        hashes.push_back(in.phashValue[i]);
        // Near duplicates are only looked for within an aspect class: the
        // hash sees a square and forgets the shape, while copies keep it.
        classes.push_back(nearDuplicateAspectClass(in.width[i], in.height[i]));
        decodableRows.push_back(qint32(i));
    }
    const NearDuplicateGraph graph = nearDuplicateGraph(hashes, classes, maxDistance);
    DuplicateGraph g;
    g.node.assign(in.id.size(), -1);
    g.nodes = graph.nodes;
    for (qsizetype k = 0; k < decodableRows.size(); ++k)
        g.node[size_t(decodableRows[k])] = graph.node[size_t(k)];
    g.edges.reserve(graph.edges.size());
    for (const auto &[a, b] : graph.edges)
        g.edges.emplace_back(a, b);
    g.compact();
    return g;
}

DuplicateGraph pairDuplicateGraph(const ImageFilterInputs &in, const std::vector<std::pair<qint64, qint64>> &idPairs)
{
    // One node per row; compact() keeps only the rows in a pair.
    DuplicateGraph g;
    g.nodes = qint32(in.id.size());
    g.node.resize(in.id.size());
    std::iota(g.node.begin(), g.node.end(), 0);
    for (const auto &[idA, idB] : idPairs) {
        const qint64 a = in.rowOf(idA), b = in.rowOf(idB);
        if (a >= 0 && b >= 0)
            g.edges.emplace_back(qint32(a), qint32(b));
    }
    g.compact();
    return g;
}

Status redecideImages(ProjectStore &store, const Recipe &recipe, JobContext &ctx)
{
    const ImageFilterSettings settings = ImageFilterSettings::fromRecipe(recipe);
    auto in = loadImageFilterInputs(store, settings.phashDistance, &ctx);
    if (!in)
        return in.error();
    const ImageVerdictColumns v = decideImageFilters(*in, settings);
    QVector<Verdict> verdicts;
    verdicts.reserve(qsizetype(in->id.size()));
    for (size_t i = 0; i < in->id.size(); ++i)
        verdicts.push_back({in->id[i], v.code[i] ? in->reasons.value(v.code[i] - 1) : QString(),
                            v.duplicateOf[i] >= 0 ? in->id[size_t(v.duplicateOf[i])] : 0});
    if (Status s = writeVerdicts(store, VerdictTable::Images, verdicts); !s)
        return s;
    ctx.progress(qint64(verdicts.size()), qint64(verdicts.size()), QStringLiteral("deciding images"));
    return {};
}

} // namespace rs
