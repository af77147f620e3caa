#include "core/store/recipe.h"

#include "core/store/projectstore.h"

#include <QCryptographicHash>
#include <QJsonArray>

#include <cmath>

namespace rs {

namespace {

using K = SettingDef::Kind;

SettingDef intSetting(const char *key, qint64 def, double min, double max, const char *meaning)
{
    return {QString::fromLatin1(key), K::Int, QString::number(def), min, max, {}, QString::fromUtf8(meaning)};
}
SettingDef doubleSetting(const char *key, double def, double min, double max, const char *meaning)
{
    return {QString::fromLatin1(key), K::Double, QString::number(def), min, max, {}, QString::fromUtf8(meaning)};
}
SettingDef boolSetting(const char *key, bool def, const char *meaning)
{
    return {QString::fromLatin1(key), K::Bool, def ? QStringLiteral("true") : QStringLiteral("false"), 0, 0, {},
            QString::fromUtf8(meaning)};
}
SettingDef choiceSetting(const char *key, const char *def, QStringList choices, const char *meaning)
{
    return {QString::fromLatin1(key), K::Choice, QString::fromLatin1(def), 0, 0, std::move(choices), QString::fromUtf8(meaning)};
}

bool parseBool(const QString &v, bool *out)
{
    const QString s = v.trimmed().toLower();
    if (s == QLatin1String("true") || s == QLatin1String("1") || s == QLatin1String("yes") || s == QLatin1String("on")) {
        *out = true;
        return true;
    }
    if (s == QLatin1String("false") || s == QLatin1String("0") || s == QLatin1String("no") || s == QLatin1String("off")) {
        *out = false;
        return true;
    }
    return false;
}

// Names, threshold-panel sections and steps, kept beside the table rather
// than in every row of it. Labels stay short (about 25 characters): the
// panel is a narrow dock at 1280×720; the meaning is the tooltip.
struct Presentation {
    const char *key, *label, *panel;
    double step;
};
const Presentation kPresentation[] = {
    {"extract.min_side", "Shorter side at least (px)", "images", 1},
    {"extract.max_aspect", "Aspect ratio at most", "images", 0.1},
    {"extract.max_pixels", "Pixels at most", "images", 1000000},
    {"extract.near_duplicates", "Drop near duplicates", "images", 0},
    {"extract.min_words", "Words at least", "sentences", 1},
    {"extract.max_words", "Words at most", "sentences", 1},
    {"extract.min_entropy", "Word entropy at least (bits)", "sentences", 0.05},
    {"extract.drop_code", "Drop code blocks", "sentences", 0},
    {"extract.drop_nav", "Drop navigation text", "sentences", 0},
    {"extract.drop_urls", "Drop URLs", "sentences", 0},
    {"extract.drop_emails", "Drop e-mail addresses", "sentences", 0},
    {"extract.drop_emoji", "Drop emoji", "sentences", 0},
    {"extract.dedup_sentences", "Drop duplicate sentences", "sentences", 0},
    {"retrieve.weight_visual", "Weight: image embedding", "retrieval", 0.05},
    {"retrieve.weight_ocr", "Weight: OCR text", "retrieval", 0.05},
    {"retrieve.weight_context", "Weight: page context", "retrieval", 0.05},
    {"retrieve.weight_lexical", "Weight: BM25 (lexical)", "retrieval", 0.05},
    {"retrieve.min_score", "Retrieved score at least", "retrieval", 0.01},
    {"sample.band", "Similarity band", "sample", 0},
    {"sample.min_similarity", "Similarity at least", "sample", 0.01},
    {"sample.max_similarity", "Similarity at most", "sample", 0.01},
    {"sample.low_percentile", "Drop lowest similarities (%)", "sample", 0.5},
    {"sample.high_percentile", "Drop highest similarities (%)", "sample", 0.5},
    {"sample.method", "Balancing method", "sample", 0},
    {"sample.cap", "Samples per cluster at most", "sample", 1},
    {"sample.t", "MetaCLIP threshold t", "sample", 1},
};

QVector<SettingDef> withPresentation(QVector<SettingDef> defs)
{
    for (const Presentation &p : kPresentation)
        for (SettingDef &d : defs)
            if (d.key == QLatin1String(p.key)) {
                d.label = QString::fromUtf8(p.label);
                d.panel = QString::fromLatin1(p.panel);
                d.step = p.step;
            }
    return defs;
}

} // namespace

// Defaults follow the paper (PIPELINE.md) where it gives a number.
const QVector<SettingDef> &Recipe::definitions()
{
    static const QVector<SettingDef> defs = withPresentation({
        intSetting("seed", 0, 0, 4294967295.0, "Seed of every random choice (subsets, k-means, sampling)"),
        intSetting("threads", 0, 0, 256, "Worker threads; 0 = all hardware threads"),

        // Limits on hostile input, checked before anything is read or parsed.
        intSetting("ingest.html_max_bytes", 32LL * 1024 * 1024, 1024, 4e9,
                   "HTML pages larger than this many bytes are not read (counted as too_complex)"),
        intSetting("ingest.html_max_depth", 4096, 16, 1000000,
                   "HTML pages whose elements nest deeper than this are not parsed (too_complex; parsing cost grows with depth)"),
        intSetting("ingest.html_max_nodes", 500000, 100, 1e9, "HTML pages with more elements than this are not parsed (too_complex)"),
        intSetting("ingest.html_max_ms", 30000, 0, 3600000,
                   "An HTML page that takes longer than this to parse and read is not used (too_complex); 0 = no budget"),
        intSetting("ingest.max_member_bytes", 256LL * 1024 * 1024, 1024, 1e12,
                   "WebDataset image members larger than this (sparse holes included) are not extracted (too_large)"),
        intSetting("ingest.max_tar_members", 1000000, 1, 1e10,
                   "A WebDataset shard is read up to this many members; the rest is logged and skipped"),
        doubleSetting("ingest.max_expansion", 100.0, 2.0, 1e6,
                      "A compressed shard that inflates more than this many times its size (after 64 MiB) is a "
                      "decompression bomb: it is read up to there, logged and skipped"),
        intSetting("extract.max_file_bytes", 256LL * 1024 * 1024, 1024, 1e12,
                   "Image files larger than this many bytes are refused before reading (too_large)"),

        intSetting("extract.min_side", 100, 1, 100000, "Drop images whose shorter side is below this many pixels"),
        doubleSetting("extract.max_aspect", 3.0, 1.0, 1000.0, "Drop images whose aspect ratio exceeds this (or is below its inverse)"),
        intSetting("extract.max_pixels", 89478485, 1, 4e9, "Refuse images whose header claims more pixels (decompression bombs)"),
        doubleSetting("extract.max_brisque", 0.0, 0.0, 200.0,
                      "Drop images whose BRISQUE score is above this (lower is better; about 20 sharp, 60 poor; 0 = off)"),
        boolSetting("extract.near_duplicates", true, "Group near-duplicate images by perceptual hash and keep one"),
        // 3, not more: on the GIMP manual, 6 merged distinct dark UI screenshots
        // whose low frequencies agree (see RESULTS.md, stage 1).
        intSetting("extract.phash_distance", 3, 0, 32, "Max Hamming distance of 64-bit perceptual hashes for near duplicates (same aspect class)"),
        boolSetting("extract.drop_code", true, "Drop sentences from code blocks (pre, listings)"),
        boolSetting("extract.drop_nav", true, "Drop sentences from navigation, headers and footers"),
        boolSetting("extract.drop_urls", true, "Drop sentences containing URLs"),
        boolSetting("extract.drop_emails", true, "Drop sentences containing e-mail addresses"),
        boolSetting("extract.drop_emoji", true, "Drop sentences containing emoji"),
        intSetting("extract.min_words", 3, 0, 10000, "Drop sentences with fewer words"),
        intSetting("extract.max_words", 81, 1, 100000, "Drop sentences with more words"),
        doubleSetting("extract.min_entropy", 0.3, 0.0, 20.0, "Drop sentences whose word entropy (bits) is below this"),
        boolSetting("extract.dedup_sentences", true, "Drop exact and normalised-text duplicate sentences"),

        {QStringLiteral("embed.model"), K::String, QStringLiteral("builtin"), 0, 0, {},
         QStringLiteral("Encoder: builtin (corpus-aligned, not CLIP), a TorchScript CLIP model folder, or imported:NAME")},
        choiceSetting("embed.device", "cpu", {QStringLiteral("cpu"), QStringLiteral("cuda")}, "Device for TorchScript models"),
        intSetting("embed.dimension", 64, 2, 1024, "Built-in encoder: width of the shared space (capped by the data)"),
        doubleSetting("embed.regularization", 1e-3, 0.0, 10.0, "Built-in encoder: CCA covariance shrinkage"),
        intSetting("embed.context_window", 2, 0, 50, "Built-in encoder: blocks around an image whose sentences pair with it"),
        intSetting("embed.max_fit_images", 20000, 10, 10000000, "Built-in encoder: most images used to fit (a seeded subsample)"),
        boolSetting("embed.dedup", true, "Drop near-duplicate images by embedding similarity (union-find)"),
        doubleSetting("embed.dedup_threshold", 0.97, -1.0, 1.0, "Cosine similarity above which two images are duplicates"),
        doubleSetting("eval.holdout", 0.2, 0.0, 0.9, "Fraction of images held out of encoder fitting for `realsyn eval`"),
        doubleSetting("eval.validation", 0.15, 0.0, 0.9,
                      "Fraction of the other images kept out of encoder fitting to choose fusion weights (`realsyn eval --tune`)"),

        choiceSetting("retrieve.mode", "hierarchical", {QStringLiteral("hierarchical"), QStringLiteral("exact"), QStringLiteral("document")},
                      "hierarchical (k-means, the paper), exact (brute force) or document (one-to-one within each page)"),
        intSetting("retrieve.k", 3, 1, 100, "Realistic texts kept per image (the paper keeps 3)"),
        intSetting("retrieve.clusters", 1, 1, 1000, "Nearest k-means centres searched per image"),
        intSetting("retrieve.kmeans_clusters", 0, 0, 100000000, "Sentence clusters; 0 = about sqrt(sentences)"),
        intSetting("retrieve.kmeans_iterations", 20, 1, 1000, "Lloyd iterations of the sentence k-means"),
        doubleSetting("retrieve.min_score", -1.0, -1.0, 1.0,
                      "Drop retrieved texts below this score (document mode: cosine; hierarchical/exact: fused score, 0..1)"),
        // Fused retrieval (core/index/fusion.h). Page context is query text
        // only: no weight favours a sentence for sitting on the image's page.
        boolSetting("retrieve.own_text", true,
                    "Query with the image's own alt text, title and figure caption too (off in `realsyn eval`, which hides them)"),
        intSetting("retrieve.context_sentences", 3, 0, 50, "Page context: sentences nearest to each reference of the image used as query text"),
        // Chosen by `realsyn eval --tune` on the demo's validation split, never
        // its test split (tests/bench/RESULTS.md).
        doubleSetting("retrieve.weight_visual", 1.0, 0.0, 100.0, "Fusion weight of the image embedding vs sentence embeddings"),
        doubleSetting("retrieve.weight_ocr", 1.0, 0.0, 100.0, "Fusion weight of the OCR text (dense text tower + BM25)"),
        doubleSetting("retrieve.weight_context", 1.0, 0.0, 100.0, "Fusion weight of the page context text (dense text tower + BM25)"),
        doubleSetting("retrieve.weight_lexical", 0.5, 0.0, 100.0, "Fusion weight of BM25 over OCR and context text together"),

        choiceSetting("experts.ocr", "auto", {QStringLiteral("auto"), QStringLiteral("on"), QStringLiteral("off")},
                      "Tesseract OCR: auto = only on images large and text-like enough to pay off"),
        choiceSetting("experts.faces", "on", {QStringLiteral("on"), QStringLiteral("off")}, "Face detection (OpenCV cascades)"),
        choiceSetting("experts.quality", "on", {QStringLiteral("on"), QStringLiteral("off")}, "Image quality (OpenCV BRISQUE)"),
        choiceSetting("experts.tags", "auto", {QStringLiteral("auto"), QStringLiteral("on"), QStringLiteral("off")},
                      "Zero-shot tags with the active encoder: auto = on when calibration on held-out texts reaches the precision target"),
        doubleSetting("experts.tag_precision", 0.6, 0.0, 1.0, "Tags: precision on held-out alt texts/captions the threshold must reach"),
        choiceSetting("generate.backend", "builtin", {QStringLiteral("builtin"), QStringLiteral("openai")},
                      "Who writes the synthetic text: builtin (templates over evidence) or an OpenAI-compatible server"),
        choiceSetting("generate.captioner", "builtin", {QStringLiteral("builtin"), QStringLiteral("openai"), QStringLiteral("none")},
                      "Who writes the concise caption: builtin (from expert findings), an OpenAI-compatible VLM, or none"),
        {QStringLiteral("generate.endpoint"), K::String, QStringLiteral("http://127.0.0.1:8000/v1"), 0, 0, {},
         QStringLiteral("OpenAI-compatible base URL (vLLM, llama.cpp server, Ollama)")},
        {QStringLiteral("generate.model"), K::String, QString(), 0, 0, {}, QStringLiteral("Model name sent to the server")},
        {QStringLiteral("generate.caption_model"), K::String, QString(), 0, 0, {},
         QStringLiteral("Model for captions (empty = generate.model)")},
        {QStringLiteral("generate.api_key_env"), K::String, QStringLiteral("OPENAI_API_KEY"), 0, 0, {},
         QStringLiteral("Environment variable holding the API key (the key itself is never stored)")},
        intSetting("generate.concurrency", 4, 1, 256, "Requests in flight to the server"),
        intSetting("generate.timeout_ms", 120000, 100, 3600000, "Per-request timeout"),
        intSetting("generate.retries", 3, 0, 20, "Retries on 429 and 5xx, with exponential backoff"),
        intSetting("generate.deadline_s", 0, 0, 1e7,
                   "Wall-clock budget of the generate stage in seconds (0 = none); finished batches are kept and the next run goes on"),
        {QStringLiteral("generate.instruction"), K::String, QString(), 0, 0, {},
         QStringLiteral("Generation instruction; empty = the built-in versioned instruction")},

        choiceSetting("sample.band", "auto", {QStringLiteral("auto"), QStringLiteral("absolute"), QStringLiteral("percentile"), QStringLiteral("off")},
                      "Similarity band: absolute (CLIP scale), percentile (built-in encoder), auto picks by encoder, or off"),
        doubleSetting("sample.min_similarity", 0.51, -1.0, 1.0, "Absolute band: drop pairs below this image-synthetic similarity (paper, EVA02-CLIP)"),
        doubleSetting("sample.max_similarity", 0.61, -1.0, 1.0, "Absolute band: drop pairs above this similarity (OCR-like copies)"),
        doubleSetting("sample.low_percentile", 10.0, 0.0, 100.0, "Percentile band: drop this lowest percent of similarities"),
        doubleSetting("sample.high_percentile", 5.0, 0.0, 100.0, "Percentile band: drop this highest percent of similarities"),
        intSetting("sample.clusters", 0, 0, 100000000, "Image clusters for balancing; 0 = about sqrt(images)"),
        intSetting("sample.kmeans_iterations", 20, 1, 1000, "Lloyd iterations of the image k-means"),
        choiceSetting("sample.method", "cap", {QStringLiteral("cap"), QStringLiteral("metaclip")},
                      "cap: at most sample.cap per cluster; metaclip: keep with probability min(1, t/n)"),
        intSetting("sample.cap", 20, 1, 100000000, "Most samples kept per cluster (paper: 20 / 35 / 180 for 15M / 30M / 100M)"),
        doubleSetting("sample.t", 20.0, 0.001, 1e9, "MetaCLIP threshold t"),

        intSetting("export.max_side", 0, 0, 100000, "Exported JPEGs: cap the longer side at this many pixels (0 = original size)"),
        intSetting("export.jpeg_quality", 95, 1, 100, "Exported JPEG quality"),
        intSetting("export.parquet_row_group_rows", 50000, 1, 100000000,
                   "Parquet export: rows per row group (the unit readers fetch and decode in parallel)"),
        {QStringLiteral("export.llava_prompts"), K::String,
         QStringLiteral("Describe this image in detail.|What is shown in this image? Describe it thoroughly.|"
                        "Give a detailed description of the image.|Write a detailed caption for this picture."),
         0, 0, {}, QStringLiteral("LLaVA export: '|'-separated prompts (one chosen per sample, deterministically)")},
    });
    return defs;
}

const SettingDef *Recipe::find(const QString &key)
{
    for (const SettingDef &d : definitions())
        if (d.key == key)
            return &d;
    return nullptr;
}

Result<Recipe> Recipe::load(ProjectStore &store)
{
    Recipe recipe;
    auto q = store.exec(QStringLiteral("SELECT key, value FROM recipe"));
    if (!q)
        return q.error();
    while (q->next()) {
        const QString key = q->value(0).toString();
        if (find(key))
            recipe.m_values.insert(key, q->value(1).toString());
    }
    return recipe;
}

Status Recipe::save(ProjectStore &store) const
{
    Transaction tx(store);
    if (auto r = store.exec(QStringLiteral("DELETE FROM recipe")); !r)
        return r.error();
    for (auto it = m_values.cbegin(); it != m_values.cend(); ++it)
        if (auto r = store.exec(QStringLiteral("INSERT INTO recipe(key, value) VALUES(?, ?)"), {it.key(), it.value()}); !r)
            return r.error();
    return tx.commit();
}

Status Recipe::set(const QString &key, const QString &value)
{
    const SettingDef *def = find(key);
    if (!def)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("unknown setting (see `realsyn recipe DIR`)"), key);
    QString canonical = value.trimmed();
    const auto bad = [&](const QString &why) {
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("bad value '%1': %2").arg(value, why), key);
    };
    switch (def->kind) {
    case K::Int: {
        bool ok = false;
        const double d = canonical.toDouble(&ok); // accepts 1e6
        if (!ok || std::floor(d) != d)
            return bad(QStringLiteral("expected an integer"));
        if (d < def->min || d > def->max)
            return bad(QStringLiteral("must be in [%1, %2]").arg(def->min, 0, 'g', 12).arg(def->max, 0, 'g', 12));
        canonical = QString::number(qint64(d));
        break;
    }
    case K::Double: {
        bool ok = false;
        const double d = canonical.toDouble(&ok);
        if (!ok || !std::isfinite(d))
            return bad(QStringLiteral("expected a number"));
        if (d < def->min || d > def->max)
            return bad(QStringLiteral("must be in [%1, %2]").arg(def->min).arg(def->max));
        canonical = QString::number(d);
        break;
    }
    case K::Bool: {
        bool b = false;
        if (!parseBool(canonical, &b))
            return bad(QStringLiteral("expected true or false"));
        canonical = b ? QStringLiteral("true") : QStringLiteral("false");
        break;
    }
    case K::Choice:
        if (!def->choices.contains(canonical))
            return bad(QStringLiteral("expected one of ") + def->choices.join(QStringLiteral(", ")));
        break;
    case K::String:
        break;
    }
    if (canonical == def->defaultValue)
        m_values.remove(key);
    else
        m_values.insert(key, canonical);
    return {};
}

Status Recipe::setAssignment(const QString &assignment)
{
    const qsizetype eq = assignment.indexOf(QLatin1Char('='));
    if (eq <= 0)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("expected key=value"), assignment);
    return set(assignment.left(eq).trimmed(), assignment.mid(eq + 1));
}

QString Recipe::text(const QString &key) const
{
    if (auto it = m_values.constFind(key); it != m_values.cend())
        return *it;
    const SettingDef *def = find(key);
    Q_ASSERT_X(def, "Recipe::text", qPrintable(key));
    return def ? def->defaultValue : QString();
}

qint64 Recipe::intValue(const QString &key) const { return text(key).toLongLong(); }
double Recipe::doubleValue(const QString &key) const { return text(key).toDouble(); }
bool Recipe::boolValue(const QString &key) const { return text(key) == QLatin1String("true"); }
bool Recipe::isDefault(const QString &key) const { return !m_values.contains(key); }

QString Recipe::fingerprint(const QStringList &prefixes) const
{
    QCryptographicHash h(QCryptographicHash::Sha1);
    for (const SettingDef &d : definitions()) {
        const bool relevant = std::any_of(prefixes.cbegin(), prefixes.cend(), [&](const QString &p) {
            return d.key == p || (p.endsWith(QLatin1Char('.')) && d.key.startsWith(p));
        });
        if (relevant)
            h.addData((d.key + QLatin1Char('=') + text(d.key) + QLatin1Char('\n')).toUtf8());
    }
    return QString::fromLatin1(h.result().toHex().left(16));
}

QJsonObject Recipe::toJson() const
{
    static const char *kinds[] = {"int", "double", "bool", "string", "choice"};
    QJsonObject all;
    for (const SettingDef &d : definitions()) {
        QJsonObject o;
        o.insert(QStringLiteral("value"), text(d.key));
        o.insert(QStringLiteral("default"), d.defaultValue);
        o.insert(QStringLiteral("meaning"), d.meaning);
        o.insert(QStringLiteral("kind"), QString::fromLatin1(kinds[int(d.kind)]));
        if (d.kind == K::Int || d.kind == K::Double) {
            o.insert(QStringLiteral("min"), d.min);
            o.insert(QStringLiteral("max"), d.max);
        }
        if (d.kind == K::Choice)
            o.insert(QStringLiteral("choices"), QJsonArray::fromStringList(d.choices));
        all.insert(d.key, o);
    }
    return all;
}

} // namespace rs
