#include "core/export/exporter.h"

#include "core/export/detail/tarwriter.h"
#include "core/export/parquetwriter.h"
#include "core/extract/extractstage.h"
#include "core/extract/imageprobe.h"
#include "core/ingest/ingestor.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"
#include "core/store/samplequery.h"
#include "core/store/globalsettings.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QImageWriter>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QSet>
#include <QTemporaryDir>
#include <QThreadPool>
#include <QtConcurrent>

#include <cmath>

namespace rs {

namespace {

// A sample with what the writers fill in while exporting.
struct Sample : ExportSample {
    bool val = false;
    QString key;
    QByteArray jpeg;
    int outWidth = 0, outHeight = 0;
    QString error;
    QString sha256;            // of the exported image (of the source with images off)
};

bool isWebUrl(const QString &s)
{
    return s.startsWith(QLatin1String("http://"), Qt::CaseInsensitive) || s.startsWith(QLatin1String("https://"), Qt::CaseInsensitive);
}

// RealSyn's raw_image_url. A web address only where the corpus gives the
// image's own: an absolute src, or a WebDataset sample's url (img2dataset
// stores the image's address there; an MMC4 or OBELICS url is the page's).
// Otherwise the file's path relative to the corpus (its images folder, the
// source folder, or the folder of a JSONL file), or to the project for
// images extracted from tar shards: never a local absolute path.
QString rawImageUrl(const QString &path, const QString &src, const QString &docUrl, const QString &format, const QString &sourcePath,
                    const QString &imagesRoot, const QString &projectDir)
{
    if (isWebUrl(src))
        return src;
    if (format == QLatin1String("wds") && isWebUrl(docUrl))
        return docUrl;
    const QString file = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    QStringList roots;
    if (!imagesRoot.isEmpty())
        roots << imagesRoot;
    if (!sourcePath.isEmpty())
        roots << (QFileInfo(sourcePath).isDir() ? sourcePath : QFileInfo(sourcePath).absolutePath());
    roots << projectDir;
    for (const QString &root : roots) {
        const QString r = QDir::cleanPath(QFileInfo(root).absoluteFilePath());
        if (file.startsWith(r + QLatin1Char('/')))
            return file.mid(r.size() + 1);
    }
    return QFileInfo(path).fileName();
}

Result<QVector<ExportSample>> collect(ProjectStore &store, qint64 limit)
{
    auto q = store.exec(QStringLiteral("SELECT i.id, i.path, i.width, i.height, i.reject_reason, d.decision, d.syn_text, i.cluster,"
                                       " g.synthetic_text, g.caption, g.generator, g.similarity, i.sha256 FROM images i"
                                       " LEFT JOIN decisions d ON d.image_id = i.id LEFT JOIN generations g ON g.image_id = i.id"
                                       " WHERE i.path IS NOT NULL AND ")
                        + selectedCondition() + QStringLiteral(" ORDER BY i.id"));
    if (!q)
        return q.error();
    QVector<ExportSample> samples;
    while (q->next()) {
        if (limit >= 0 && samples.size() >= limit)
            break; // --limit: the texts of samples left out are never read
        ExportSample s;
        s.id = q->value(0).toLongLong();
        s.path = q->value(1).toString();
        s.width = q->value(2).toInt();
        s.height = q->value(3).toInt();
        s.rejectReason = q->value(4).toString();
        s.curatorAccepted = q->value(5).toString() == QLatin1String("accept");
        s.synEdited = !q->value(6).isNull();
        s.synText = s.synEdited ? q->value(6).toString() : q->value(8).toString();
        s.hasSynText = s.synEdited || !q->value(8).isNull();
        s.cluster = q->value(7).isNull() ? QVariant() : QVariant(q->value(7).toLongLong());
        s.caption = q->value(9).toString();
        s.hasCaption = !q->value(9).isNull();
        s.sourceSha256 = q->value(12).toString();
        s.generator = s.synEdited ? QStringLiteral("curator") : q->value(10).toString();
        s.similarity = q->value(11).isNull() ? QVariant() : QVariant(q->value(11).toDouble());
        samples.push_back(s);
    }
    // Texts and first references in two ordered scans instead of two queries
    // per sample (at 100k samples the per-sample queries were most of an export).
    QHash<qint64, qsizetype> index;
    index.reserve(samples.size());
    for (qsizetype i = 0; i < samples.size(); ++i)
        index.insert(samples[i].id, i);
    auto r = store.exec(QStringLiteral("SELECT r.image_id, s.text, r.score FROM retrievals r JOIN sentences s ON s.id = r.sentence_id"
                                       " ORDER BY r.image_id, r.rank"));
    if (!r)
        return r.error();
    while (r->next()) {
        const auto it = index.constFind(r->value(0).toLongLong());
        if (it == index.cend() || samples[*it].texts.size() >= 3)
            continue;
        samples[*it].texts << r->value(1).toString();
        samples[*it].scores << r->value(2).toDouble();
    }
    QVector<bool> hasRef(samples.size(), false);
    auto d = store.exec(QStringLiteral("SELECT r.image_id, d.doc_key, d.url, r.src, src.format, src.path, src.images_root FROM image_refs r"
                                       " JOIN documents d ON d.id = r.document_id JOIN sources src ON src.id = d.source_id"
                                       " ORDER BY r.image_id, r.id"));
    if (!d)
        return d.error();
    while (d->next()) {
        const auto it = index.constFind(d->value(0).toLongLong());
        if (it == index.cend() || hasRef[*it])
            continue;
        hasRef[*it] = true;
        ExportSample &s = samples[*it];
        s.document = d->value(1).toString();
        s.url = d->value(2).toString();
        s.rawUrl = rawImageUrl(s.path, d->value(3).toString(), s.url, d->value(4).toString(), d->value(5).toString(), d->value(6).toString(),
                               store.dir());
    }
    for (qsizetype i = 0; i < samples.size(); ++i)
        if (!hasRef[i])
            samples[i].rawUrl = rawImageUrl(samples[i].path, {}, {}, {}, {}, {}, store.dir());
    return samples;
}

// Re-encodes as JPEG (alpha on white, longer side capped when asked).
void encodeImage(Sample &s, const ProbeOptions &probe, int maxSide, int quality)
{
    auto img = loadImageRgb(s.path, probe, maxSide);
    if (!img) {
        s.error = img.error().toString();
        return;
    }
    QBuffer buffer(&s.jpeg);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, "jpeg");
    writer.setQuality(quality);
    if (!writer.write(img.value())) {
        s.error = QStringLiteral("JPEG encoding failed: ") + writer.errorString();
        s.jpeg.clear();
        return;
    }
    s.outWidth = img->width();
    s.outHeight = img->height();
    s.sha256 = QString::fromLatin1(QCryptographicHash::hash(s.jpeg, QCryptographicHash::Sha256).toHex());
}

QString text(const Sample &s, int i)
{
    return s.texts.value(i);
}

QJsonObject sampleJson(const Sample &s)
{
    QJsonObject o;
    o.insert(QStringLiteral("key"), s.key);
    o.insert(QStringLiteral("caption"), text(s, 0));
    o.insert(QStringLiteral("text1"), text(s, 0));
    o.insert(QStringLiteral("text2"), text(s, 1));
    o.insert(QStringLiteral("text3"), text(s, 2));
    o.insert(QStringLiteral("syn_text"), s.synText);
    o.insert(QStringLiteral("width"), s.outWidth);
    o.insert(QStringLiteral("height"), s.outHeight);
    o.insert(QStringLiteral("original_width"), s.width);
    o.insert(QStringLiteral("original_height"), s.height);
    o.insert(QStringLiteral("sha256"), s.sha256);
    if (!s.url.isEmpty())
        o.insert(QStringLiteral("url"), s.url);
    QJsonArray scores;
    for (double v : s.scores)
        scores.append(v);
    QJsonObject prov{{QStringLiteral("image_id"), s.id},
                     {QStringLiteral("document"), s.document},
                     {QStringLiteral("retrieval_scores"), scores},
                     {QStringLiteral("generator"), s.generator},
                     {QStringLiteral("concise_caption"), s.caption}};
    if (!s.similarity.isNull())
        prov.insert(QStringLiteral("syn_similarity"), s.similarity.toDouble());
    if (!s.cluster.isNull())
        prov.insert(QStringLiteral("cluster"), s.cluster.toLongLong());
    if (s.curatorAccepted)
        prov.insert(QStringLiteral("curator_accepted"), true);
    if (!s.rejectReason.isEmpty())
        prov.insert(QStringLiteral("filter_rejected"), s.rejectReason); // accepted by a curator over this filter
    if (s.synEdited)
        prov.insert(QStringLiteral("syn_text_edited"), true);
    o.insert(QStringLiteral("realsyn"), prov);
    return o;
}

class OutputFolder {
public:
    explicit OutputFolder(QString root) : m_root(std::move(root)) {}

    Status write(const QString &relative, const QByteArray &data)
    {
        const QString path = QDir(m_root).filePath(relative);
        QDir().mkpath(QFileInfo(path).absolutePath());
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            return makeError(ErrorCode::IoError, f.errorString(), relative);
        if (f.write(data) != data.size() || !f.flush())
            return makeError(ErrorCode::IoError, QStringLiteral("write failed (disk full?): ") + f.errorString(), relative);
        f.close();
        if (f.error() != QFile::NoError)
            return makeError(ErrorCode::IoError, f.errorString(), relative);
        m_files.insert(relative, QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex()));
        m_bytes += data.size();
        return {};
    }
    Status recordFile(const QString &relative)
    {
        QFile f(QDir(m_root).filePath(relative));
        if (!f.open(QIODevice::ReadOnly))
            return makeError(ErrorCode::IoError, f.errorString(), relative);
        QCryptographicHash h(QCryptographicHash::Sha256);
        h.addData(&f);
        m_files.insert(relative, QString::fromLatin1(h.result().toHex()));
        m_bytes += f.size();
        return {};
    }
    QString path(const QString &relative) const { return QDir(m_root).filePath(relative); }
    const QMap<QString, QString> &files() const { return m_files; }
    qint64 bytes() const { return m_bytes; }

private:
    QString m_root;
    QMap<QString, QString> m_files; // relative path -> sha256
    qint64 m_bytes = 0;
};

QString csvField(const QString &v, QChar sep)
{
    if (!v.contains(sep) && !v.contains(QLatin1Char('"')) && !v.contains(QLatin1Char('\n')) && !v.contains(QLatin1Char('\r')))
        return v;
    QString e = v;
    e.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + e + QLatin1Char('"');
}

QStringList llavaPrompts(const Recipe &recipe)
{
    QStringList prompts;
    for (const QString &p : ExportSettings::fromRecipe(recipe).llavaPrompts.split(QLatin1Char('|')))
        if (!p.trimmed().isEmpty())
            prompts << p.trimmed();
    return prompts;
}

// The parquet table's columns, in order: RealSyn's released columns first.
QVector<ParquetColumn> parquetSchema()
{
    using T = ParquetColumn::Type;
    auto col = [](const char *name, T type, bool optional) { return ParquetColumn{QString::fromLatin1(name), type, optional}; };
    return {col("raw_image_url", T::String, false), col("text1", T::String, true),     col("text2", T::String, true),
            col("text3", T::String, true),          col("syn_text", T::String, true),  col("image_path", T::String, true),
            col("width", T::Int32, false),          col("height", T::Int32, false),    col("sha256", T::String, true),
            col("caption", T::String, true),        col("cluster", T::Int64, true),    col("split", T::String, false),
            col("text1_score", T::Double, true),    col("text2_score", T::Double, true), col("text3_score", T::Double, true),
            col("image_id", T::Int64, false)};
}

Status writeParquet(OutputFolder &out, const QString &dir, const QString &split, const QVector<Sample *> &samples, const ExportOptions &opts,
                    const Recipe &recipe, ExportReport &report, JobContext &ctx)
{
    if (samples.isEmpty())
        return {}; // as with shards: an empty split has no file
    auto compression = parseParquetCompression(opts.compression);
    if (!compression)
        return compression.error();
    const QString name = dir + QStringLiteral("part-00000.parquet");
    QDir().mkpath(QFileInfo(out.path(name)).absolutePath());
    ParquetWriter writer(parquetSchema(), *compression, ExportSettings::fromRecipe(recipe).parquetRowGroupRows);
    if (Status s = writer.open(out.path(name)); !s)
        return s;
    auto optionalText = [](bool present, const QString &v) { return present ? ParquetValue(v) : ParquetValue(); };
    QVector<ParquetValue> row(16);
    for (qsizetype i = 0; i < samples.size(); ++i) {
        const Sample &s = *samples[i];
        row[0] = s.rawUrl;
        for (int t = 0; t < 3; ++t) {
            row[1 + t] = optionalText(t < s.texts.size(), text(s, t));
            row[12 + t] = t < s.scores.size() ? ParquetValue(s.scores[t]) : ParquetValue();
        }
        row[4] = optionalText(s.hasSynText, s.synText);
        row[5] = optionalText(opts.images, dir + QStringLiteral("images/") + s.key + QStringLiteral(".jpg"));
        row[6] = qint32(s.outWidth);
        row[7] = qint32(s.outHeight);
        row[8] = optionalText(!s.sha256.isEmpty(), s.sha256);
        row[9] = optionalText(s.hasCaption, s.caption);
        row[10] = s.cluster.isNull() ? ParquetValue() : ParquetValue(qint64(s.cluster.toLongLong()));
        row[11] = split;
        row[15] = qint64(s.id);
        if (Status st = writer.addRow(row); !st)
            return st;
        if ((i + 1) % 8192 == 0 || i + 1 == samples.size()) {
            ctx.progress(i + 1, samples.size(), QStringLiteral("writing parquet"));
            if (ctx.isCanceled())
                return makeError(ErrorCode::Canceled, QStringLiteral("export interrupted; nothing was written"));
        }
    }
    if (Status s = writer.close(); !s)
        return s;
    report.tableRows.insert(name, writer.rows());
    return out.recordFile(name);
}

Status writeSplit(OutputFolder &out, const QString &prefix, QVector<Sample *> samples, const ExportOptions &opts, const Recipe &recipe,
                  ExportReport &report, JobContext &ctx)
{
    const QString dir = prefix.isEmpty() ? QString() : prefix + QLatin1Char('/');
    if (opts.format == QLatin1String("wds")) {
        for (qsizetype start = 0, shard = 0; start < samples.size(); start += opts.shardSize, ++shard) {
            const QString name = dir + QStringLiteral("%1.tar").arg(shard, 5, 10, QLatin1Char('0'));
            QDir().mkpath(QFileInfo(out.path(name)).absolutePath());
            detail::TarWriter tar;
            if (Status s = tar.open(out.path(name)); !s)
                return s;
            for (qsizetype i = start; i < std::min<qsizetype>(start + opts.shardSize, samples.size()); ++i) {
                Sample &s = *samples[i];
                const QJsonObject json = sampleJson(s);
                if (Status st = tar.add(s.key + QStringLiteral(".jpg"), s.jpeg); !st)
                    return st;
                if (Status st = tar.add(s.key + QStringLiteral(".txt"), text(s, 0).toUtf8()); !st)
                    return st;
                if (Status st = tar.add(s.key + QStringLiteral(".json"), QJsonDocument(json).toJson(QJsonDocument::Compact)); !st)
                    return st;
            }
            if (Status s = tar.close(); !s)
                return s;
            if (Status s = out.recordFile(name); !s)
                return s;
            ctx.progress(std::min<qsizetype>(start + opts.shardSize, samples.size()), samples.size(), QStringLiteral("writing shards"));
        }
        return {};
    }

    // csv, jsonl, llava and parquet point at image files next to them.
    if (opts.images)
        for (Sample *s : samples)
            if (Status st = out.write(dir + QStringLiteral("images/") + s->key + QStringLiteral(".jpg"), s->jpeg); !st)
                return st;
    if (opts.format == QLatin1String("parquet"))
        return writeParquet(out, dir, prefix.isEmpty() ? QStringLiteral("train") : prefix, samples, opts, recipe, report, ctx);
    QByteArray body;
    if (opts.format == QLatin1String("csv")) {
        const QChar sep = opts.csvSeparator;
        body += (QStringLiteral("filepath") + sep + QStringLiteral("title\n")).toUtf8();
        for (Sample *s : samples) {
            QStringList captions;
            if (opts.caption == QLatin1String("all")) {
                captions = s->texts;
                captions << s->synText;
            } else {
                captions << (opts.caption == QLatin1String("syn_text") ? s->synText : text(*s, 0));
            }
            for (const QString &c : captions) {
                if (c.trimmed().isEmpty())
                    continue;
                QString line = csvField(QStringLiteral("images/") + s->key + QStringLiteral(".jpg"), sep) + sep
                    + csvField(QString(c).replace(QLatin1Char('\n'), QLatin1Char(' ')), sep) + QLatin1Char('\n');
                body += line.toUtf8();
            }
        }
        return out.write(dir + QStringLiteral("samples.csv"), body);
    }
    if (opts.format == QLatin1String("jsonl")) {
        for (Sample *s : samples) {
            QJsonObject o = sampleJson(*s);
            if (opts.images)
                o.insert(QStringLiteral("image"), QString(QStringLiteral("images/") + s->key + QStringLiteral(".jpg")));
            body += QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
        }
        return out.write(dir + QStringLiteral("samples.jsonl"), body);
    }
    // llava
    const QStringList prompts = llavaPrompts(recipe);
    QJsonArray conversations;
    for (Sample *s : samples) {
        if (s->synText.trimmed().isEmpty()) {
            ++report.skipped;
            continue;
        }
        const QString prompt = prompts.value(int(qHash(s->key, 0) % size_t(prompts.size())));
        conversations.append(QJsonObject{
            {QStringLiteral("id"), s->key},
            {QStringLiteral("image"), QString(QStringLiteral("images/") + s->key + QStringLiteral(".jpg"))},
            {QStringLiteral("conversations"),
             QJsonArray{QJsonObject{{QStringLiteral("from"), QStringLiteral("human")}, {QStringLiteral("value"), QString(QStringLiteral("<image>\n") + prompt)}},
                        QJsonObject{{QStringLiteral("from"), QStringLiteral("gpt")}, {QStringLiteral("value"), s->synText}}}}});
    }
    return out.write(dir + QStringLiteral("llava.json"), QJsonDocument(conversations).toJson(QJsonDocument::Indented));
}

Result<QJsonArray> sourcesJson(ProjectStore &store)
{
    auto q = store.exec(QStringLiteral("SELECT s.format, s.path, group_concat(DISTINCT d.license) FROM sources s"
                                       " LEFT JOIN documents d ON d.source_id = s.id GROUP BY s.id ORDER BY s.id"));
    if (!q)
        return q.error();
    QJsonArray a;
    while (q->next()) {
        QJsonObject o{{QStringLiteral("format"), q->value(0).toString()},
                      // File name only: exports must not leak local absolute paths.
                      {QStringLiteral("name"), QFileInfo(q->value(1).toString()).fileName()}};
        const QString licences = q->value(2).toString();
        if (!licences.isEmpty())
            o.insert(QStringLiteral("licenses"), QJsonArray::fromStringList(licences.split(QLatin1Char(','))));
        a.append(o);
    }
    return a;
}

// The project folder that is `canonicalDir` or holds it; empty when none.
QString enclosingProject(const QString &canonicalDir)
{
    for (QDir d(canonicalDir);; ) {
        if (ProjectStore::isProject(d.path()))
            return d.path();
        if (d.isRoot() || !d.cdUp())
            return {};
    }
}

// The first entry under `dir` that is not a file listed in its manifest
// (links and special files never are), or a reason the folder is not a
// previous export of ours. Empty when it is one and may be replaced whole.
QString notOurExport(const QString &dir)
{
    QFile f(QDir(dir).filePath(QStringLiteral("manifest.json")));
    if (!f.open(QIODevice::ReadOnly))
        return QStringLiteral("it has no manifest.json");
    const QJsonObject manifest = QJsonDocument::fromJson(f.read(64 * 1024 * 1024)).object();
    if (manifest.value(QStringLiteral("tool")).toString() != QLatin1String("RealSyn Studio")
        || !manifest.value(QStringLiteral("files")).isObject())
        return QStringLiteral("its manifest.json was not written by RealSyn Studio");
    const QJsonObject files = manifest.value(QStringLiteral("files")).toObject();
    QDirIterator it(dir, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        const QFileInfo fi = it.fileInfo();
        const QString relative = QDir(dir).relativeFilePath(fi.filePath());
        if (fi.isSymLink())
            return QStringLiteral("it holds a symbolic link (%1)").arg(relative);
        if (fi.isDir())
            continue; // QDirIterator does not follow links, so its files are checked one by one
        if (!fi.isFile() || (relative != QLatin1String("manifest.json") && !files.contains(relative)))
            return QStringLiteral("it holds %1, which is not part of the export").arg(relative);
    }
    return {};
}

} // namespace

QJsonObject ExportSample::toJson() const
{
    QJsonArray scoreArray;
    for (double v : scores)
        scoreArray.append(v);
    return QJsonObject{{QStringLiteral("id"), id},
                       {QStringLiteral("path"), path},
                       {QStringLiteral("width"), width},
                       {QStringLiteral("height"), height},
                       {QStringLiteral("reject_reason"), rejectReason},
                       {QStringLiteral("curator_accepted"), curatorAccepted},
                       {QStringLiteral("texts"), QJsonArray::fromStringList(texts)},
                       {QStringLiteral("scores"), scoreArray},
                       {QStringLiteral("syn_text"), synText},
                       {QStringLiteral("syn_edited"), synEdited},
                       {QStringLiteral("caption"), caption},
                       {QStringLiteral("generator"), generator},
                       {QStringLiteral("similarity"), similarity.isNull() ? QJsonValue() : QJsonValue(similarity.toDouble())},
                       {QStringLiteral("cluster"), cluster.isNull() ? QJsonValue() : QJsonValue(cluster.toLongLong())},
                       {QStringLiteral("document"), document},
                       {QStringLiteral("url"), url},
                       {QStringLiteral("has_syn_text"), hasSynText},
                       {QStringLiteral("has_caption"), hasCaption},
                       {QStringLiteral("raw_url"), rawUrl},
                       {QStringLiteral("source_sha256"), sourceSha256}};
}

Result<ExportSample> ExportSample::fromJson(const QJsonObject &o)
{
    // Every field must be there with its type: a damaged snapshot is refused,
    // never exported with blanks.
    const auto bad = [](const char *field) {
        return makeError(ErrorCode::ParseError, QStringLiteral("sample field '%1' is missing or has the wrong type").arg(QLatin1String(field)));
    };
    const auto str = [&o](const char *k, QString &out) {
        const QJsonValue v = o.value(QLatin1String(k));
        if (!v.isString())
            return false;
        out = v.toString();
        return true;
    };
    const auto integer = [&o](const char *k, qint64 &out) {
        const QJsonValue v = o.value(QLatin1String(k));
        if (!v.isDouble() || v.toDouble() != std::floor(v.toDouble()))
            return false;
        out = v.toInteger();
        return true;
    };
    ExportSample s;
    qint64 w = 0, h = 0;
    if (!integer("id", s.id) || s.id <= 0)
        return bad("id");
    if (!str("path", s.path) || s.path.isEmpty())
        return bad("path");
    if (!integer("width", w) || !integer("height", h) || w < 0 || h < 0 || w > INT_MAX || h > INT_MAX)
        return bad("width/height");
    s.width = int(w);
    s.height = int(h);
    for (auto [k, out] : {std::pair{"reject_reason", &s.rejectReason}, {"syn_text", &s.synText}, {"caption", &s.caption},
                          {"generator", &s.generator}, {"document", &s.document}, {"url", &s.url},
                          {"raw_url", &s.rawUrl}, {"source_sha256", &s.sourceSha256}})
        if (!str(k, *out))
            return bad(k);
    if (!o.value(QLatin1String("curator_accepted")).isBool())
        return bad("curator_accepted");
    s.curatorAccepted = o.value(QLatin1String("curator_accepted")).toBool();
    if (!o.value(QLatin1String("syn_edited")).isBool())
        return bad("syn_edited");
    s.synEdited = o.value(QLatin1String("syn_edited")).toBool();
    if (!o.value(QLatin1String("has_syn_text")).isBool())
        return bad("has_syn_text");
    s.hasSynText = o.value(QLatin1String("has_syn_text")).toBool();
    if (!o.value(QLatin1String("has_caption")).isBool())
        return bad("has_caption");
    s.hasCaption = o.value(QLatin1String("has_caption")).toBool();
    const QJsonValue texts = o.value(QLatin1String("texts")), scores = o.value(QLatin1String("scores"));
    if (!texts.isArray() || !scores.isArray() || texts.toArray().size() != scores.toArray().size())
        return bad("texts/scores");
    for (const QJsonValue &t : texts.toArray()) {
        if (!t.isString())
            return bad("texts");
        s.texts << t.toString();
    }
    for (const QJsonValue &v : scores.toArray()) {
        if (!v.isDouble())
            return bad("scores");
        s.scores << v.toDouble();
    }
    const QJsonValue sim = o.value(QLatin1String("similarity")), cluster = o.value(QLatin1String("cluster"));
    if (!sim.isNull() && !sim.isDouble())
        return bad("similarity");
    if (sim.isDouble())
        s.similarity = sim.toDouble();
    if (!cluster.isNull() && !(cluster.isDouble() && cluster.toDouble() == std::floor(cluster.toDouble())))
        return bad("cluster");
    if (cluster.isDouble())
        s.cluster = cluster.toInteger();
    return s;
}

Result<ExportSource> currentExportSource(ProjectStore &store, qint64 limit)
{
    auto samples = collect(store, limit);
    if (!samples)
        return samples.error();
    auto sources = sourcesJson(store);
    if (!sources)
        return sources.error();
    return ExportSource{std::move(*samples), store.meta(QStringLiteral("embed.encoder")), *sources};
}

Status checkExportTarget(const QString &outDir, const QString &projectDir, bool force)
{
    if (outDir.isEmpty())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("--out is required"));
    // "." and "a/../b" must name the folder they mean: the checks compare paths.
    const QFileInfo target(QDir::cleanPath(QFileInfo(outDir).absoluteFilePath()));
    const QString path = target.absoluteFilePath();
    if (target.fileName().isEmpty() || QDir(path).isRoot())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("refusing to export to the file system root"), path);
    const QString parent = target.absolutePath();
    if (!QFileInfo(parent).isDir())
        return makeError(ErrorCode::NotFound, QStringLiteral("parent folder does not exist"), parent);
    // Where the export would land, links resolved (the target may not exist yet).
    const QString canonicalParent = QFileInfo(parent).canonicalFilePath();
    const QString canonicalProject = QFileInfo(projectDir).canonicalFilePath();
    if (const QString project = enclosingProject(canonicalParent); !project.isEmpty())
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("refusing to export inside the project %1; choose a folder outside it").arg(project), path);
    if (!target.exists() && !target.isSymLink())
        return {};
    if (target.isSymLink())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("output is a symbolic link; refusing to replace it"), path);
    if (!target.isDir())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("output exists and is not a folder; refusing to replace it"), path);
    const QString canonicalTarget = target.canonicalFilePath();
    if (canonicalTarget == canonicalProject || ProjectStore::isProject(canonicalTarget))
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("refusing to replace a project folder"), path);
    if (!force)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("output folder exists (use --force to replace it)"), path);
    if (!canonicalProject.isEmpty() && canonicalProject.startsWith(canonicalTarget + QLatin1Char('/')))
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("refusing to replace a folder that contains the project"), path);
    if (const QString why = notOurExport(canonicalTarget); !why.isEmpty())
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("--force replaces only a previous export, and this folder is not one: %1").arg(why), path);
    return {};
}

QStringList exportFormats()
{
    return {QStringLiteral("wds"), QStringLiteral("csv"), QStringLiteral("jsonl"), QStringLiteral("llava"), QStringLiteral("parquet")};
}

Result<ExportReport> exportSelection(ProjectStore &store, const Recipe &recipe, const ExportOptions &opts, JobContext &ctx)
{
    // With an id list the limit applies after the restriction, not before.
    auto source = currentExportSource(store, opts.ids.isEmpty() ? opts.limit : -1);
    if (!source)
        return source.error();
    return exportSamples(*source, store.dir(), recipe, opts, ctx);
}

Result<ExportReport> exportSamples(const ExportSource &source, const QString &projectDir, const Recipe &recipe,
                                   const ExportOptions &opts, JobContext &ctx)
{
    if (!exportFormats().contains(opts.format))
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("unknown export format (expected %1)").arg(exportFormats().join(QLatin1Char('|'))),
                         opts.format);
    if (opts.shardSize < 1 || opts.shardSize > 10000)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("--shard-size must be in [1, 10000] (keys carry a 4-digit index)"));
    if (!std::isfinite(opts.valFraction) || opts.valFraction < 0 || opts.valFraction >= 1)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("--split val=F needs 0 <= F < 1"));
    if (!QStringList{QStringLiteral("text1"), QStringLiteral("syn_text"), QStringLiteral("all")}.contains(opts.caption))
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("--caption must be text1, syn_text or all"));
    if (opts.format == QLatin1String("parquet")) {
        if (auto c = parseParquetCompression(opts.compression); !c)
            return c.error();
        // Before any image is copied, not at the table's first row.
        if (const QString why = parquetUnavailable(); !why.isEmpty())
            return makeError(ErrorCode::Unsupported, why);
    }
    if (!opts.images && opts.format != QLatin1String("parquet") && opts.format != QLatin1String("jsonl"))
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("--no-images is for the parquet and jsonl formats (%1 holds or lists image files)").arg(opts.format));
    if (opts.format == QLatin1String("llava") && llavaPrompts(recipe).isEmpty())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("export.llava_prompts is empty"));
    if (Status s = checkExportTarget(opts.outDir, projectDir, opts.force); !s)
        return s.error();
    const QFileInfo target(QDir::cleanPath(QFileInfo(opts.outDir).absoluteFilePath()));
    const QString parent = target.absolutePath();

    const quint64 seed = GlobalSettings::fromRecipe(recipe).seed;
    const QSet<qint64> only(opts.ids.cbegin(), opts.ids.cend());
    qint64 chosenInSelection = 0;
    for (const ExportSample &e : source.samples)
        chosenInSelection += only.contains(e.id) ? 1 : 0;
    QVector<Sample> samples;
    for (const ExportSample &e : source.samples) {
        if (!only.isEmpty() && !only.contains(e.id))
            continue;
        if (opts.limit >= 0 && samples.size() >= opts.limit)
            break;
        Sample s;
        static_cast<ExportSample &>(s) = e;
        s.val = opts.valFraction > 0 && inSample(QStringLiteral("val:%1").arg(s.id), opts.valFraction, seed);
        samples.push_back(std::move(s));
    }

    // Encode images in parallel; a sample whose image fails is reported and left out.
    const ExportSettings settings = ExportSettings::fromRecipe(recipe);
    const int maxSide = settings.maxSide;
    const int quality = settings.jpegQuality;
    ProbeOptions probe;
    ExtractSettings extract;
    readSettings(recipe, extract);
    probe.maxFileBytes = extract.maxFileBytes;
    QThreadPool pool;
    const int threads = GlobalSettings::fromRecipe(recipe).threads;
    pool.setMaxThreadCount(threads > 0 ? threads : QThread::idealThreadCount());
    for (qsizetype start = 0; start < samples.size(); start += 256) {
        QVector<Sample *> chunk;
        for (qsizetype i = start; i < std::min<qsizetype>(start + 256, samples.size()); ++i)
            chunk.push_back(&samples[i]);
        if (opts.images) {
            QtConcurrent::blockingMap(&pool, chunk, [&](Sample *s) { encodeImage(*s, probe, maxSide, quality); });
        } else {
            // Text only: the rows describe the source images as probed.
            for (Sample *s : chunk) {
                s->outWidth = s->width;
                s->outHeight = s->height;
                s->sha256 = s->sourceSha256;
            }
        }
        ctx.progress(std::min<qsizetype>(start + 256, samples.size()), samples.size(),
                     opts.images ? QStringLiteral("encoding images") : QStringLiteral("reading samples"));
        if (ctx.isCanceled())
            return makeError(ErrorCode::Canceled, QStringLiteral("export interrupted; nothing was written"));
    }

    ExportReport report;
    report.outsideSelection = only.size() - chosenInSelection;
    QVector<Sample *> train, val;
    for (Sample &s : samples) {
        if (!s.error.isEmpty()) {
            ++report.skipped;
            ctx.report(JobIssue{Severity::Warning, QStringLiteral("left out of the export: ") + s.error, s.id, s.path});
            continue;
        }
        (s.val ? val : train).push_back(&s);
    }
    // Keys are per split: 5-digit shard + 4-digit index.
    for (QVector<Sample *> *split : {&train, &val})
        for (qsizetype i = 0; i < split->size(); ++i)
            (*split)[i]->key = QStringLiteral("%1%2").arg(i / opts.shardSize, 5, 10, QLatin1Char('0')).arg(i % opts.shardSize, 4, 10, QLatin1Char('0'));

    // Everything goes into a hidden sibling folder, renamed into place at
    // the end: an interrupted or failed export leaves no OUTDIR behind.
    // A fresh, uniquely named folder (mkdtemp): nothing that exists already
    // is ever reused or removed as "ours".
    QTemporaryDir tempDir(QDir(parent).filePath(QStringLiteral(".%1.partial-XXXXXX").arg(target.fileName())));
    if (!tempDir.isValid())
        return makeError(ErrorCode::IoError, QStringLiteral("cannot create a temporary folder: ") + tempDir.errorString(), parent);
    tempDir.setAutoRemove(false);
    const QString temp = tempDir.path();
    OutputFolder out(temp);
    auto cleanup = [&](const Error &e) -> Result<ExportReport> {
        QDir(temp).removeRecursively();
        return e;
    };

    const bool split = opts.valFraction > 0;
    if (Status s = writeSplit(out, split ? QStringLiteral("train") : QString(), train, opts, recipe, report, ctx); !s)
        return cleanup(s.error());
    if (split)
        if (Status s = writeSplit(out, QStringLiteral("val"), val, opts, recipe, report, ctx); !s)
            return cleanup(s.error());
    report.train = split ? train.size() : train.size();
    report.val = val.size();
    report.samples = train.size() + val.size();

    QJsonObject recipeValues;
    const QJsonObject full = recipe.toJson();
    for (auto it = full.begin(); it != full.end(); ++it)
        recipeValues.insert(it.key(), it.value().toObject().value(QStringLiteral("value")));
    QJsonObject checksums;
    for (auto it = out.files().cbegin(); it != out.files().cend(); ++it)
        checksums.insert(it.key(), it.value());
    QJsonObject options{{QStringLiteral("limit"), opts.limit},
                        {QStringLiteral("val_fraction"), opts.valFraction},
                        {QStringLiteral("shard_size"), opts.shardSize},
                        {QStringLiteral("caption"), opts.caption}};
    if (opts.format == QLatin1String("parquet"))
        options.insert(QStringLiteral("compression"), opts.compression);
    if (!opts.images)
        options.insert(QStringLiteral("images"), false);
    if (!only.isEmpty()) {
        // The ids asked for, so the export can be reproduced from its manifest.
        QJsonArray ids;
        for (qint64 id : opts.ids)
            ids.append(id);
        options.insert(QStringLiteral("ids"), ids);
    }
    QJsonObject manifest{
        {QStringLiteral("format"), opts.format},
        {QStringLiteral("tool"), QStringLiteral("RealSyn Studio")},
        {QStringLiteral("encoder"), source.encoder},
        {QStringLiteral("recipe"), recipeValues},
        {QStringLiteral("counts"), QJsonObject{{QStringLiteral("samples"), report.samples},
                                               {QStringLiteral("train"), split ? report.train : report.samples},
                                               {QStringLiteral("val"), report.val},
                                               {QStringLiteral("skipped"), report.skipped}}},
        {QStringLiteral("options"), options},
        {QStringLiteral("files"), checksums},
        {QStringLiteral("sources"), source.sources}};
    if (opts.format == QLatin1String("parquet")) {
        // Each table file with its row count, so a loader can plan without opening them.
        QJsonArray tables;
        for (auto it = report.tableRows.cbegin(); it != report.tableRows.cend(); ++it)
            tables.append(QJsonObject{{QStringLiteral("file"), it.key()}, {QStringLiteral("rows"), it.value()}});
        manifest.insert(QStringLiteral("parquet"), QJsonObject{{QStringLiteral("files"), tables},
                                                               {QStringLiteral("created_by"), QString::fromLatin1(kParquetCreatedBy)}});
    }
    if (Status s = out.write(QStringLiteral("manifest.json"), QJsonDocument(manifest).toJson(QJsonDocument::Indented)); !s)
        return cleanup(s.error());
    report.files = out.files().size();
    report.bytes = out.bytes();

    if (QFileInfo::exists(target.absoluteFilePath()) || QFileInfo(target.absoluteFilePath()).isSymLink()) {
        // --force: checked again right before the swap, in case the folder
        // changed while the export was being written.
        if (Status s = checkExportTarget(target.absoluteFilePath(), projectDir, opts.force); !s)
            return cleanup(s.error());
        // Move the old folder aside first so a failed rename loses nothing.
        const QString old = temp + QStringLiteral(".old");
        if (!QDir().rename(target.absoluteFilePath(), old))
            return cleanup(makeError(ErrorCode::IoError, QStringLiteral("cannot replace the existing output folder"), opts.outDir));
        if (!QDir().rename(temp, target.absoluteFilePath())) {
            QDir().rename(old, target.absoluteFilePath());
            return cleanup(makeError(ErrorCode::IoError, QStringLiteral("cannot move the export into place"), opts.outDir));
        }
        QDir(old).removeRecursively();
    } else if (!QDir().rename(temp, target.absoluteFilePath())) {
        return cleanup(makeError(ErrorCode::IoError, QStringLiteral("cannot move the export into place"), opts.outDir));
    }
    report.outDir = target.absoluteFilePath();
    return report;
}

} // namespace rs
