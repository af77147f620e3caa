#include "plugins/generator_openai_http/chatmessages.h"

#include "core/generate/builtingenerator.h"

#include <QBuffer>
#include <QJsonArray>
#include <QPainter>

#include <algorithm>

namespace rs {

namespace {

QStringList ocrLines(const Findings &findings)
{
    QStringList lines, words;
    for (const Finding &f : findings) {
        if (f.kind != QLatin1String("ocr"))
            continue;
        const QString t = f.text.simplified();
        if (t.isEmpty())
            continue;
        if (f.level == QLatin1String("line")) {
            if (!lines.contains(t))
                lines << t;
        } else {
            words << t;
        }
    }
    // Word-level findings only matter when the expert produced no lines.
    if (lines.isEmpty() && !words.isEmpty())
        lines << words.join(QLatin1Char(' '));
    return lines;
}

QJsonObject textPart(const QString &text)
{
    return QJsonObject{{QStringLiteral("type"), QStringLiteral("text")}, {QStringLiteral("text"), text}};
}

QJsonObject imagePart(const QString &url)
{
    return QJsonObject{{QStringLiteral("type"), QStringLiteral("image_url")},
                       {QStringLiteral("image_url"), QJsonObject{{QStringLiteral("url"), url}}}};
}

QJsonObject baseRequest(const OpenAiOptions &options)
{
    return QJsonObject{{QStringLiteral("model"), options.model},
                       {QStringLiteral("max_tokens"), options.maxTokens},
                       {QStringLiteral("temperature"), options.temperature},
                       {QStringLiteral("stream"), false}};
}

} // namespace

QString ChatMessages::captionInstruction()
{
    return QStringLiteral(
        "You write concise image captions for vision-language pre-training. Describe what the image shows in one short "
        "sentence: the main objects, people, text and setting that are clearly visible. Do not guess names, places or "
        "events that the image does not show. Answer with the caption only.");
}

QString ChatMessages::imageDataUrl(const QImage &image, int maxSide, int jpegQuality)
{
    if (image.isNull())
        return {};
    QImage img = image;
    if (std::max(img.width(), img.height()) > maxSide)
        img = img.scaled(maxSide, maxSide, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    if (img.hasAlphaChannel()) {
        QImage flat(img.size(), QImage::Format_RGB888);
        flat.fill(Qt::white);
        QPainter p(&flat);
        p.drawImage(0, 0, img);
        p.end();
        img = flat;
    } else {
        img = img.convertToFormat(QImage::Format_RGB888);
    }
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (img.save(&buffer, "JPG", jpegQuality))
        return QStringLiteral("data:image/jpeg;base64,") + QString::fromLatin1(bytes.toBase64());
    // No JPEG writer (a stripped Qt install): PNG is lossless and always built in.
    bytes.clear();
    buffer.seek(0);
    img.save(&buffer, "PNG");
    return QStringLiteral("data:image/png;base64,") + QString::fromLatin1(bytes.toBase64());
}

QString ChatMessages::evidenceText(const GenerationInput &input, QStringList *evidenceUsed)
{
    QStringList used;
    QString out;
    const QStringList texts = [&] {
        QStringList t;
        for (const QString &s : input.realisticTexts)
            if (!s.simplified().isEmpty())
                t << s.simplified();
        return t;
    }();
    if (texts.isEmpty()) {
        out += QStringLiteral("Realistic texts: none\n");
    } else {
        out += QStringLiteral("Realistic texts (best match first):\n");
        for (int i = 0; i < texts.size(); ++i)
            out += QStringLiteral("%1. %2\n").arg(i + 1).arg(texts[i]);
    }

    const QString caption = input.caption.simplified();
    out += QStringLiteral("Image caption: %1\n").arg(caption.isEmpty() ? QStringLiteral("none") : caption);
    if (!caption.isEmpty())
        used << QStringLiteral("caption");

    QStringList tags;
    for (const QString &t : input.tags)
        if (!t.simplified().isEmpty() && !tags.contains(t.simplified(), Qt::CaseInsensitive))
            tags << t.simplified();
    for (const Finding &f : input.findings)
        if (f.kind == QLatin1String("tag") && !f.text.simplified().isEmpty() && !tags.contains(f.text.simplified(), Qt::CaseInsensitive))
            tags << f.text.simplified();
    out += QStringLiteral("Visual tags: %1\n").arg(tags.isEmpty() ? QStringLiteral("none") : tags.join(QStringLiteral(" | ")));
    if (!tags.isEmpty())
        used << QStringLiteral("tags");

    const QStringList lines = ocrLines(input.findings);
    if (lines.isEmpty()) {
        out += QStringLiteral("Text read in the image (OCR): none\n");
    } else {
        QStringList quoted;
        for (const QString &l : lines)
            quoted << QLatin1Char('"') + l + QLatin1Char('"');
        out += QStringLiteral("Text read in the image (OCR): %1\n").arg(quoted.join(QStringLiteral("; ")));
        used << QStringLiteral("ocr");
    }

    const int faces = int(std::count_if(input.findings.begin(), input.findings.end(),
                                        [](const Finding &f) { return f.kind == QLatin1String("face"); }));
    out += QStringLiteral("Faces detected: %1\n").arg(faces);
    if (faces > 0)
        used << QStringLiteral("faces");

    for (const Finding &f : input.findings)
        if (f.kind == QLatin1String("quality")) {
            out += QStringLiteral("Image quality: %1\n").arg(f.text);
            used << QStringLiteral("quality");
            break;
        }
    if (evidenceUsed)
        *evidenceUsed = used;
    return out;
}

QJsonObject ChatMessages::generationRequest(const GenerationInput &input, const OpenAiOptions &options)
{
    const QString instruction = input.instruction.trimmed().isEmpty() ? defaultGenerationInstruction() : input.instruction;
    const QString evidence = evidenceText(input);
    QJsonValue userContent = evidence;
    if (options.sendImage && !input.image.isNull())
        userContent = QJsonArray{imagePart(imageDataUrl(input.image, options.maxImageSide, options.jpegQuality)), textPart(evidence)};
    QJsonObject req = baseRequest(options);
    req.insert(QStringLiteral("messages"),
               QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("system")}, {QStringLiteral("content"), instruction}},
                          QJsonObject{{QStringLiteral("role"), QStringLiteral("user")}, {QStringLiteral("content"), userContent}}});
    return req;
}

QJsonObject ChatMessages::captionRequest(const CaptionInput &input, const OpenAiOptions &options)
{
    QString ask = QStringLiteral("Write a concise caption for this image.");
    const QStringList lines = ocrLines(input.findings);
    if (!lines.isEmpty())
        ask += QStringLiteral(" An OCR tool read this text in it: \"%1\".").arg(lines.join(QStringLiteral("\"; \"")));
    QJsonObject req = baseRequest(options);
    req.insert(QStringLiteral("messages"),
               QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("system")}, {QStringLiteral("content"), captionInstruction()}},
                          QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                      {QStringLiteral("content"),
                                       QJsonArray{imagePart(imageDataUrl(input.image, options.maxImageSide, options.jpegQuality)),
                                                  textPart(ask)}}}});
    return req;
}

} // namespace rs
