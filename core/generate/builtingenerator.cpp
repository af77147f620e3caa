#include "core/generate/builtingenerator.h"

#include <QRegularExpression>

#include <algorithm>

namespace rs {

namespace {

// OCR lines worth quoting: confident, with some letters, not too long.
QStringList readableLines(const Findings &findings, int maxLines)
{
    QVector<const Finding *> lines;
    for (const Finding &f : findings)
        if (f.kind == QLatin1String("ocr") && f.level == QLatin1String("line") && f.confidence >= 0.6) {
            int letters = 0;
            for (QChar c : f.text)
                letters += c.isLetter() ? 1 : 0;
            if (letters >= 3 && f.text.size() <= 60)
                lines.push_back(&f);
        }
    // Largest text first: titles and headings say most about an image.
    std::stable_sort(lines.begin(), lines.end(), [](const Finding *a, const Finding *b) { return a->box.height() > b->box.height(); });
    QStringList out;
    for (const Finding *f : lines) {
        const QString t = f->text.simplified();
        if (!out.contains(t, Qt::CaseInsensitive))
            out << t;
        if (out.size() >= maxLines)
            break;
    }
    return out;
}

int faceCount(const Findings &findings)
{
    return int(std::count_if(findings.begin(), findings.end(), [](const Finding &f) { return f.kind == QLatin1String("face"); }));
}

QStringList tagLabels(const Findings &findings, const QStringList &extra, int maxTags)
{
    QStringList tags = extra;
    for (const Finding &f : findings)
        if (f.kind == QLatin1String("tag") && !tags.contains(f.text, Qt::CaseInsensitive))
            tags << f.text;
    return tags.mid(0, maxTags);
}

QString joinList(const QStringList &items)
{
    if (items.size() <= 1)
        return items.value(0);
    return QStringList(items.mid(0, items.size() - 1)).join(QStringLiteral(", ")) + QStringLiteral(" and ") + items.last();
}

QString quoted(const QStringList &lines)
{
    QStringList q;
    for (const QString &l : lines)
        q << QLatin1Char('"') + l + QLatin1Char('"');
    return joinList(q);
}

QString sentenceCase(QString s)
{
    s = s.simplified();
    if (!s.isEmpty() && s[0].isLower())
        s[0] = s[0].toUpper();
    if (!s.isEmpty() && !QStringLiteral(".!?\"'").contains(s.back()))
        s += QLatin1Char('.');
    return s;
}

// The evidence phrase, e.g. `text reading "Crop" and "Tool Options", and two faces`.
QString evidencePhrase(const QStringList &lines, int faces, const QStringList &tags)
{
    QStringList parts;
    if (!tags.isEmpty())
        parts << joinList(tags);
    if (!lines.isEmpty())
        parts << QStringLiteral("text reading ") + quoted(lines);
    if (faces == 1)
        parts << QStringLiteral("one face");
    else if (faces > 1)
        parts << QStringLiteral("%1 faces").arg(faces);
    return joinList(parts);
}

} // namespace

QString BuiltinCaptioner::captionFor(const Findings &findings)
{
    const QString phrase = evidencePhrase(readableLines(findings, 2), faceCount(findings), tagLabels(findings, {}, 3));
    return phrase.isEmpty() ? QString() : sentenceCase(QStringLiteral("an image with ") + phrase);
}

QVector<Result<QString>> BuiltinCaptioner::caption(const QVector<CaptionInput> &batch, JobContext &)
{
    QVector<Result<QString>> out;
    out.reserve(batch.size());
    for (const CaptionInput &in : batch)
        out.push_back(captionFor(in.findings));
    return out;
}

QString BuiltinGenerator::cleanRealisticText(const QString &text)
{
    static const QRegularExpression figurePrefix(QStringLiteral("^(figure|fig\\.|table|image|photo)\\s*[0-9]+(\\.[0-9]+)*[.:]?\\s*"),
                                                 QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression bullet(QStringLiteral("^([-*\\x{2022}\\x{2023}>\\x{25aa}]+|[0-9]+[.)])(\\s+|$)"));
    static const QRegularExpression danglingEnd(QStringLiteral("(\\s+(and|or|the|a|an|of|to|with|for|in|on|by))+\\s*[.\\x{2026}]*$"),
                                                QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression ellipsisEnd(QStringLiteral("\\s*(\\.\\.\\.|\\x{2026})\\s*$"));
    QString s = text.simplified();
    s.remove(figurePrefix);
    s.remove(bullet);
    s.remove(ellipsisEnd);
    s.remove(danglingEnd);
    s = s.trimmed();
    // Unbalanced quotes or brackets at the ends are fragments of a cut text.
    while (!s.isEmpty() && QStringLiteral("\"'(,;:-").contains(s.front()))
        s.remove(0, 1);
    while (!s.isEmpty() && QStringLiteral("\"'(,;:-").contains(s.back()) && s.count(s.back()) % 2 == 1)
        s.chop(1);
    s = s.trimmed();
    return s.isEmpty() ? QString() : sentenceCase(s);
}

GeneratedText BuiltinGenerator::generateOne(const GenerationInput &in)
{
    const QString real = cleanRealisticText(in.realisticTexts.value(0));
    const QStringList lines = readableLines(in.findings, 2);
    const int faces = faceCount(in.findings);
    const QStringList tags = tagLabels(in.findings, in.tags, 3);
    const QString evidence = evidencePhrase(lines, faces, tags);

    GeneratedText out;
    out.model = QStringLiteral("builtin-generator-v1");
    QJsonObject prov;
    QStringList used;
    if (!lines.isEmpty())
        used << QStringLiteral("ocr");
    if (faces > 0)
        used << QStringLiteral("faces");
    if (!tags.isEmpty())
        used << QStringLiteral("tags");
    prov.insert(QStringLiteral("evidence"), used.isEmpty() ? QStringLiteral("none") : used.join(QLatin1Char(',')));
    prov.insert(QStringLiteral("realistic_text"), real.isEmpty() ? QStringLiteral("none") : QStringLiteral("text1"));

    if (evidence.isEmpty()) {
        out.text = real.isEmpty() ? sentenceCase(in.caption) : real;
    } else if (real.isEmpty()) {
        out.text = in.caption.isEmpty() ? sentenceCase(QStringLiteral("an image with ") + evidence) : sentenceCase(in.caption);
    } else {
        // A few templates, chosen by image id so a corpus does not read as
        // one sentence repeated; the choice is deterministic.
        static const char *templates[] = {
            "%1 The image shows %2.",
            "%1 Visible in the image: %2.",
            "%1 It shows %2.",
        };
        const int t = int((in.imageId < 0 ? 0 : in.imageId) % 3);
        out.text = QString::fromLatin1(templates[t]).arg(real, evidence);
    }
    out.provenance = prov;
    return out;
}

QVector<Result<GeneratedText>> BuiltinGenerator::generate(const QVector<GenerationInput> &batch, JobContext &)
{
    QVector<Result<GeneratedText>> out;
    out.reserve(batch.size());
    for (const GenerationInput &in : batch) {
        GeneratedText g = generateOne(in);
        if (g.text.isEmpty())
            out.push_back(makeError(ErrorCode::InvalidArgument, QStringLiteral("nothing to write: no realistic text, caption or evidence")));
        else
            out.push_back(std::move(g));
    }
    return out;
}

QString generationPromptVersion()
{
    return QStringLiteral("realsyn-merge-v1");
}

QString defaultGenerationInstruction()
{
    return QStringLiteral(
        "You write one caption for an image for vision-language pre-training. You are given a realistic text taken from "
        "the web page around the image, a short caption of the image, visual tags, and findings of expert tools (text "
        "read by OCR, detected faces). Write one fluent English paragraph of one to three sentences that keeps the "
        "real-world details of the realistic text (names, places, products, numbers, dates) and adds what the image "
        "evidence supports. Fix grammar and casing. Do not simply concatenate the inputs. Never invent facts that are not "
        "in the inputs; if the realistic text does not fit the image, rely on the image evidence. Answer with the caption only.");
}

} // namespace rs
