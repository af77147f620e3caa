#include "core/ingest/jsonlreader.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QJsonValue>
#include <QRegularExpression>

#include <cmath>

namespace rs {

namespace {

// readLine() in pieces of this size, so that an over-long line is never
// buffered whole (readLine(max) allocates max bytes up front).
constexpr qint64 kReadChunk = 64 * 1024;

QString jsonTypeName(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null: return QStringLiteral("null");
    case QJsonValue::Bool: return QStringLiteral("a boolean");
    case QJsonValue::Double: return QStringLiteral("a number");
    case QJsonValue::String: return QStringLiteral("a string");
    case QJsonValue::Array: return QStringLiteral("a list");
    case QJsonValue::Object: return QStringLiteral("an object");
    case QJsonValue::Undefined: return QStringLiteral("missing");
    }
    return QStringLiteral("unknown");
}

// Resolves an image reference against the canonical corpus root.
struct Resolved {
    QString localPath;
    QString refusal;
};

Resolved resolveImage(const QString &canonicalRoot, const QString &ref)
{
    static const QRegularExpression kUrl(QStringLiteral("^(?:[A-Za-z][A-Za-z0-9+.-]*://|data:)"));
    if (kUrl.match(ref).hasMatch())
        return {{}, QStringLiteral("not_local")};
    if (ref.isEmpty())
        return {{}, QStringLiteral("missing_file")};
    if (QDir::isAbsolutePath(ref))
        return {{}, QStringLiteral("outside_corpus")};
    if (canonicalRoot.isEmpty())
        return {{}, QStringLiteral("missing_file")};

    const QString prefix = canonicalRoot.endsWith(QLatin1Char('/')) ? canonicalRoot
                                                                     : canonicalRoot + QLatin1Char('/');
    const QString cleaned = QDir::cleanPath(prefix + ref);
    if (!cleaned.startsWith(prefix))
        return {{}, QStringLiteral("outside_corpus")};

    const QFileInfo info(cleaned);
    if (!info.exists())
        return {{}, QStringLiteral("missing_file")};
    // A symlink inside the root may still point out of it.
    const QString canonical = info.canonicalFilePath();
    if (!canonical.startsWith(prefix))
        return {{}, QStringLiteral("outside_corpus")};
    if (!info.isFile() || !info.isReadable())
        return {{}, QStringLiteral("missing_file")};
    return {canonical, {}};
}

// A field that formats store either as a JSON value or as a JSON string
// holding one (OBELICS' `metadata`, `general_metadata`).
QJsonValue maybeEmbeddedJson(const QJsonValue &v, bool *broken)
{
    *broken = false;
    if (!v.isString())
        return v;
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(v.toString().toUtf8(), &err);
    if (err.error != QJsonParseError::NoError) {
        *broken = true;
        return QJsonValue(QJsonValue::Undefined);
    }
    if (doc.isArray())
        return doc.array();
    return doc.object();
}

QString licenseOf(const QJsonObject &o)
{
    for (const QLatin1String name : {QLatin1String("license"), QLatin1String("licence")}) {
        const QJsonValue v = o.value(name);
        if (v.isString())
            return v.toString();
        if (v.isObject() || v.isArray()) {
            const QJsonDocument d = v.isObject() ? QJsonDocument(v.toObject()) : QJsonDocument(v.toArray());
            return QString::fromUtf8(d.toJson(QJsonDocument::Compact));
        }
    }
    return {};
}

// The per-line parsers return an error message (without the "line N: "
// prefix) or fill doc and return an empty string.
QString parseMmc4(const QJsonObject &o, const QString &canonicalRoot, Document &doc)
{
    const QJsonValue textList = o.value(QLatin1String("text_list"));
    if (textList.isUndefined())
        return QStringLiteral("missing \"text_list\" (MMC4 needs a list of strings)");
    if (!textList.isArray())
        return QStringLiteral("\"text_list\" is %1, expected a list of strings").arg(jsonTypeName(textList));
    const QJsonArray texts = textList.toArray();

    const QJsonValue infoValue = o.value(QLatin1String("image_info"));
    QJsonArray infos;
    if (infoValue.isArray())
        infos = infoValue.toArray();
    else if (!infoValue.isUndefined() && !infoValue.isNull())
        return QStringLiteral("\"image_info\" is %1, expected a list of objects").arg(jsonTypeName(infoValue));

    const QJsonValue url = o.value(QLatin1String("url"));
    if (url.isString())
        doc.url = url.toString();
    else if (!url.isUndefined() && !url.isNull())
        doc.warnings << QStringLiteral("\"url\" is %1, ignored").arg(jsonTypeName(url));

    // Every text_list entry becomes a block, even an empty one, so that
    // block index == text_list index == matched_text_index.
    doc.blocks.reserve(texts.size());
    for (qsizetype i = 0; i < texts.size(); ++i) {
        const QJsonValue t = texts.at(i);
        if (!t.isString())
            return QStringLiteral("text_list[%1] is %2, expected a string").arg(i).arg(jsonTypeName(t));
        doc.blocks.push_back(TextBlock{t.toString().simplified(), BlockKind::Body, int(2 * i)});
    }

    doc.images.reserve(infos.size());
    for (qsizetype i = 0; i < infos.size(); ++i) {
        const QJsonValue infoV = infos.at(i);
        if (!infoV.isObject())
            return QStringLiteral("image_info[%1] is %2, expected an object").arg(i).arg(jsonTypeName(infoV));
        const QJsonObject info = infoV.toObject();
        const QJsonValue name = info.value(QLatin1String("image_name"));
        if (!name.isString())
            return QStringLiteral("image_info[%1].image_name is %2, expected a string").arg(i).arg(jsonTypeName(name));

        ImageRef img;
        img.src = name.toString();
        const QJsonValue matched = info.value(QLatin1String("matched_text_index"));
        const double m = matched.toDouble(-1.0);
        // Range first: converting a double outside qint64's range (1e300) is
        // undefined behaviour, and only an index in range can be one.
        if (matched.isDouble() && m >= 0 && m < double(texts.size()) && m == std::floor(m)) {
            img.matchedBlock = int(m);
            img.position = 2 * img.matchedBlock + 1;
            img.caption = doc.blocks.at(img.matchedBlock).text;
        } else {
            doc.warnings << QStringLiteral("image_info[%1].matched_text_index %2 is not a text_list index (0..%3)")
                                .arg(i)
                                .arg(matched.isDouble() ? QString::number(m) : jsonTypeName(matched))
                                .arg(texts.size() - 1);
            img.matchedBlock = -1;
            img.position = int(2 * texts.size() + 1); // after all text
        }
        const Resolved r = resolveImage(canonicalRoot, img.src);
        img.localPath = r.localPath;
        img.refusal = r.refusal;
        doc.images.push_back(std::move(img));
    }
    doc.license = licenseOf(o);
    return {};
}

QString parseObelics(const QJsonObject &o, const QString &canonicalRoot, Document &doc)
{
    const QJsonValue textsV = o.value(QLatin1String("texts"));
    const QJsonValue imagesV = o.value(QLatin1String("images"));
    if (!textsV.isArray())
        return QStringLiteral("\"texts\" is %1, expected a list").arg(jsonTypeName(textsV));
    if (!imagesV.isArray())
        return QStringLiteral("\"images\" is %1, expected a list").arg(jsonTypeName(imagesV));
    const QJsonArray texts = textsV.toArray();
    const QJsonArray images = imagesV.toArray();
    if (texts.size() != images.size())
        return QStringLiteral("\"texts\" has %1 entries but \"images\" has %2; they must align")
            .arg(texts.size())
            .arg(images.size());

    bool broken = false;
    QJsonArray metadata;
    const QJsonValue metaV = o.value(QLatin1String("metadata"));
    const QJsonValue meta = maybeEmbeddedJson(metaV, &broken);
    if (meta.isArray()) {
        metadata = meta.toArray();
        if (metadata.size() != texts.size())
            doc.warnings << QStringLiteral("\"metadata\" has %1 entries for %2 positions")
                                .arg(metadata.size())
                                .arg(texts.size());
    } else if (!metaV.isUndefined() && !metaV.isNull()) {
        doc.warnings << QStringLiteral("\"metadata\" is not a list (or a JSON string holding one), ignored");
    }

    QJsonObject general;
    const QJsonValue generalV = o.value(QLatin1String("general_metadata"));
    const QJsonValue g = maybeEmbeddedJson(generalV, &broken);
    if (g.isObject())
        general = g.toObject();
    else if (!generalV.isUndefined() && !generalV.isNull())
        doc.warnings << QStringLiteral("\"general_metadata\" is not an object (or a JSON string holding one), ignored");

    const QJsonValue url = general.contains(QLatin1String("url")) ? general.value(QLatin1String("url"))
                                                                  : o.value(QLatin1String("url"));
    if (url.isString())
        doc.url = url.toString();

    for (qsizetype i = 0; i < texts.size(); ++i) {
        const QJsonValue t = texts.at(i);
        const QJsonValue im = images.at(i);
        if (t.isNull() && im.isNull())
            return QStringLiteral("position %1 has neither a text nor an image").arg(i);
        if (!t.isNull() && !im.isNull())
            return QStringLiteral("position %1 has both a text and an image").arg(i);
        if (!t.isNull()) {
            if (!t.isString())
                return QStringLiteral("texts[%1] is %2, expected a string or null").arg(i).arg(jsonTypeName(t));
            doc.blocks.push_back(TextBlock{t.toString().simplified(), BlockKind::Body, int(i)});
            continue;
        }
        if (!im.isString())
            return QStringLiteral("images[%1] is %2, expected a string or null").arg(i).arg(jsonTypeName(im));
        ImageRef img;
        img.src = im.toString();
        img.position = int(i);
        const QJsonObject m = metadata.at(i).toObject(); // empty when absent or null
        if (m.value(QLatin1String("alt_text")).isString())
            img.alt = m.value(QLatin1String("alt_text")).toString().simplified();
        const Resolved r = resolveImage(canonicalRoot, img.src);
        img.localPath = r.localPath;
        img.refusal = r.refusal;
        doc.images.push_back(std::move(img));
    }

    doc.license = licenseOf(o);
    if (doc.license.isEmpty())
        doc.license = licenseOf(general);
    return {};
}

} // namespace

JsonlReader::JsonlReader(Flavor flavor, const QString &jsonlPath, const QString &imagesRoot)
    : m_flavor(flavor), m_path(jsonlPath), m_imagesRoot(imagesRoot)
{
    if (m_flavor == Flavor::Obelics && m_imagesRoot.isEmpty())
        m_imagesRoot = QFileInfo(jsonlPath).absolutePath();
}

Status JsonlReader::read(const SourceSink &sink, const std::atomic<bool> *cancel)
{
    QFile file(m_path);
    if (!file.exists())
        return makeError(ErrorCode::NotFound, QStringLiteral("no such file"), m_path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::IoError, QStringLiteral("cannot open: %1").arg(file.errorString()), m_path);

    const QFileInfo fileInfo(m_path);
    const QString fileName = fileInfo.fileName();
    const QString sourcePath = fileInfo.absoluteFilePath();
    // Empty when the root does not exist; every image is then missing_file.
    const QString canonicalRoot = m_imagesRoot.isEmpty() ? QString() : QFileInfo(m_imagesRoot).canonicalFilePath();
    const QString format = m_flavor == Flavor::Mmc4 ? QStringLiteral("mmc4") : QStringLiteral("obelics");

    qint64 lineNo = 0;
    QByteArray line;
    while (!file.atEnd()) {
        if (cancel && cancel->load(std::memory_order_relaxed))
            return makeError(ErrorCode::Canceled, QStringLiteral("canceled at line %1").arg(lineNo), m_path);

        // Read one line in chunks; past the limit, keep counting but stop storing.
        ++lineNo;
        line.clear();
        qint64 total = 0;
        bool tooLong = false;
        bool readError = false;
        for (;;) {
            const QByteArray part = file.readLine(kReadChunk);
            if (part.isEmpty()) {
                readError = !file.atEnd();
                break;
            }
            total += part.size();
            if (!tooLong) {
                line += part;
                // +2 leaves room for a "\r\n" terminator.
                if (line.size() > m_maxLineBytes + 2) {
                    tooLong = true;
                    line.clear();
                    line.squeeze();
                }
            }
            if (part.endsWith('\n'))
                break;
        }
        const QString location = fileName + QLatin1Char(':') + QString::number(lineNo);
        auto fail = [&](const QString &message) {
            return sink(SourceItem{location, std::nullopt, QStringLiteral("line %1: ").arg(lineNo) + message});
        };

        if (readError) {
            fail(QStringLiteral("read error: %1").arg(file.errorString()));
            return {};
        }
        if (line.endsWith('\n'))
            line.chop(1);
        if (line.endsWith('\r'))
            line.chop(1);
        if (tooLong || line.size() > m_maxLineBytes) {
            if (!fail(QStringLiteral("longer than the limit of %1 bytes (%2 bytes); skipped")
                          .arg(m_maxLineBytes)
                          .arg(total)))
                return {};
            continue;
        }
        if (line.trimmed().isEmpty())
            continue;

        QJsonParseError parseError;
        const QJsonDocument json = QJsonDocument::fromJson(line, &parseError);
        if (parseError.error != QJsonParseError::NoError) {
            if (!fail(QStringLiteral("invalid JSON (%1 at offset %2)")
                          .arg(parseError.errorString())
                          .arg(parseError.offset)))
                return {};
            continue;
        }
        if (!json.isObject()) {
            if (!fail(QStringLiteral("expected a JSON object, got %1")
                          .arg(json.isArray() ? QStringLiteral("a list") : QStringLiteral("a bare value"))))
                return {};
            continue;
        }

        Document doc;
        doc.sourcePath = sourcePath;
        doc.encoding = QStringLiteral("UTF-8");
        const QString message = m_flavor == Flavor::Mmc4 ? parseMmc4(json.object(), canonicalRoot, doc)
                                                         : parseObelics(json.object(), canonicalRoot, doc);
        if (!message.isEmpty()) {
            if (!fail(message))
                return {};
            continue;
        }
        const QByteArray digest = QCryptographicHash::hash(line, QCryptographicHash::Sha1).toHex().left(16);
        doc.key = format + QLatin1Char(':') + doc.url + QLatin1Char('#') + QString::fromLatin1(digest);
        if (!sink(SourceItem{location, std::move(doc), {}}))
            return {};
    }
    return {};
}

} // namespace rs
