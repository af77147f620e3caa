#include "core/generate/tagexpert.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <numeric>

static void initConceptResources()
{
    // The resource lives in the static core library: without this reference
    // the linker drops its initialiser and ":/realsyn/concepts" is empty.
    Q_INIT_RESOURCE(concepts);
}

namespace rs {

namespace {

// Uncalibrated confidence (CLIP default threshold or an explicit one): a
// logistic of the margin over the threshold, 0.5 at the threshold. CLIP
// similarities of matching and non-matching labels differ by a few
// hundredths, hence the small scale.
constexpr double kUncalibratedScale = 0.02;
constexpr int kMaxCurvePoints = 64;
constexpr int kLabelBatch = 256;

QStringList words(const QString &text)
{
    static const QRegularExpression nonWord(QStringLiteral("[^\\p{L}\\p{N}]+"));
    return text.toLower().split(nonWord, Qt::SkipEmptyParts);
}

bool wordMatches(const QString &labelWord, const QString &textWord, bool allowPlural)
{
    if (textWord == labelWord)
        return true;
    if (!allowPlural)
        return false;
    static const QHash<QString, QString> irregular{
        {QStringLiteral("man"), QStringLiteral("men")},         {QStringLiteral("woman"), QStringLiteral("women")},
        {QStringLiteral("child"), QStringLiteral("children")},  {QStringLiteral("person"), QStringLiteral("people")},
        {QStringLiteral("foot"), QStringLiteral("feet")},       {QStringLiteral("tooth"), QStringLiteral("teeth")},
        {QStringLiteral("mouse"), QStringLiteral("mice")},      {QStringLiteral("goose"), QStringLiteral("geese")},
        {QStringLiteral("leaf"), QStringLiteral("leaves")},     {QStringLiteral("knife"), QStringLiteral("knives")},
        {QStringLiteral("wife"), QStringLiteral("wives")},      {QStringLiteral("shelf"), QStringLiteral("shelves")},
        {QStringLiteral("wolf"), QStringLiteral("wolves")},     {QStringLiteral("loaf"), QStringLiteral("loaves")},
    };
    if (irregular.value(labelWord) == textWord)
        return true;
    if (textWord == labelWord + QLatin1Char('s') || textWord == labelWord + QStringLiteral("es"))
        return true;
    if (labelWord.size() > 2 && labelWord.endsWith(QLatin1Char('y')) && textWord == labelWord.chopped(1) + QStringLiteral("ies"))
        return true;
    return false;
}

bool sequenceOccurs(const QStringList &label, const QStringList &text)
{
    if (label.isEmpty())
        return false;
    for (qsizetype start = 0; start + label.size() <= text.size(); ++start) {
        bool all = true;
        for (qsizetype j = 0; j < label.size() && all; ++j)
            all = wordMatches(label[j], text[start + j], j == label.size() - 1);
        if (all)
            return true;
    }
    return false;
}

// Top k (index, similarity) of one row against the label matrix, best first.
QVector<QPair<int, float>> topLabels(const Matrix &labels, const float *row, int k)
{
    QVector<QPair<int, float>> all(labels.rows);
    for (qint64 i = 0; i < labels.rows; ++i) {
        const float *l = labels.row(i);
        double s = 0;
        for (int j = 0; j < labels.cols; ++j)
            s += double(l[j]) * row[j];
        all[i] = {int(i), float(s)};
    }
    k = std::min<int>(k, int(all.size()));
    // Ties are broken by vocabulary order so results do not depend on the sort.
    const auto better = [](const QPair<int, float> &a, const QPair<int, float> &b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    };
    std::partial_sort(all.begin(), all.begin() + k, all.end(), better);
    all.resize(k);
    return all;
}

double logistic(double margin)
{
    return 1.0 / (1.0 + std::exp(-margin / kUncalibratedScale));
}

} // namespace

// ---------------------------------------------------------------------------

double TagCalibration::confidenceFor(double similarity) const
{
    if (curve.isEmpty())
        return 0;
    double c = curve.first().y();
    for (const QPointF &p : curve) {
        if (p.x() > similarity)
            break;
        c = p.y();
    }
    return std::clamp(c, 0.0, 1.0);
}

QJsonObject TagCalibration::toJson() const
{
    QJsonArray pts;
    for (const QPointF &p : curve)
        pts.append(QJsonArray{p.x(), p.y()});
    return QJsonObject{{QStringLiteral("enabled"), enabled},
                       {QStringLiteral("encoder"), encoderName},
                       {QStringLiteral("threshold"), threshold},
                       {QStringLiteral("target_precision"), targetPrecision},
                       {QStringLiteral("precision"), precision},
                       {QStringLiteral("recall"), recall},
                       {QStringLiteral("best_precision"), bestPrecision},
                       {QStringLiteral("images"), images},
                       {QStringLiteral("predicted"), predicted},
                       {QStringLiteral("correct"), correct},
                       {QStringLiteral("relevant"), relevant},
                       {QStringLiteral("curve"), pts},
                       {QStringLiteral("reason"), reason}};
}

TagCalibration TagCalibration::fromJson(const QJsonObject &o)
{
    TagCalibration c;
    c.enabled = o.value(QStringLiteral("enabled")).toBool();
    c.encoderName = o.value(QStringLiteral("encoder")).toString();
    c.threshold = o.value(QStringLiteral("threshold")).toDouble();
    c.targetPrecision = o.value(QStringLiteral("target_precision")).toDouble();
    c.precision = o.value(QStringLiteral("precision")).toDouble();
    c.recall = o.value(QStringLiteral("recall")).toDouble();
    c.bestPrecision = o.value(QStringLiteral("best_precision")).toDouble();
    c.images = o.value(QStringLiteral("images")).toInt();
    c.predicted = o.value(QStringLiteral("predicted")).toInt();
    c.correct = o.value(QStringLiteral("correct")).toInt();
    c.relevant = o.value(QStringLiteral("relevant")).toInt();
    for (const QJsonValue &v : o.value(QStringLiteral("curve")).toArray()) {
        const QJsonArray p = v.toArray();
        if (p.size() == 2)
            c.curve.append(QPointF(p[0].toDouble(), p[1].toDouble()));
    }
    c.reason = o.value(QStringLiteral("reason")).toString();
    return c;
}

// ---------------------------------------------------------------------------

struct TagExpertFactory::Shared {
    std::shared_ptr<IEncoder> encoder;
    std::shared_ptr<std::mutex> encoderMutex;
    QStringList labels;
    Matrix labelRows; // labels x d
    double threshold = 0;
    int topK = 5;
    bool calibrated = false;
    TagCalibration calibration;
};

namespace {

class TagExpert final : public IExpert {
public:
    explicit TagExpert(std::shared_ptr<const TagExpertFactory::Shared> shared) : m_shared(std::move(shared)) {}

    Result<Findings> analyze(const QImage &image, const QRect &region) override
    {
        if (image.isNull())
            return makeError(ErrorCode::InvalidArgument, QStringLiteral("null image"), QStringLiteral("encoder-tags"));
        QRect r = region.isNull() ? image.rect() : region.intersected(image.rect());
        if (r.isEmpty())
            return makeError(ErrorCode::InvalidArgument, QStringLiteral("region outside the image"), QStringLiteral("encoder-tags"));
        const QImage input = (r == image.rect() ? image : image.copy(r)).convertToFormat(QImage::Format_RGB888);
        JobContext ctx;
        Result<Matrix> emb = [&] {
            std::lock_guard lock(*m_shared->encoderMutex);
            return m_shared->encoder->encodeImages({input}, ctx);
        }();
        if (!emb)
            return emb.error();
        if (emb->rows != 1 || emb->cols != m_shared->labelRows.cols)
            return makeError(ErrorCode::Internal, QStringLiteral("encoder returned %1 x %2, expected 1 x %3")
                                                      .arg(emb->rows).arg(emb->cols).arg(m_shared->labelRows.cols),
                             QStringLiteral("encoder-tags"));
        Findings out;
        for (const auto &[index, sim] : topLabels(m_shared->labelRows, emb->row(0), m_shared->topK)) {
            if (sim < m_shared->threshold)
                break;
            Finding f;
            f.kind = QStringLiteral("tag");
            f.text = m_shared->labels[index];
            f.value = sim;
            f.confidence = m_shared->calibrated ? m_shared->calibration.confidenceFor(sim) : logistic(sim - m_shared->threshold);
            if (!region.isNull())
                f.box = QRectF(r);
            out.append(f);
        }
        return out;
    }

private:
    std::shared_ptr<const TagExpertFactory::Shared> m_shared;
};

} // namespace

TagExpertFactory::TagExpertFactory(std::shared_ptr<IEncoder> encoder, QStringList vocabulary, KnowsTerm knowsTerm)
    : m_encoder(std::move(encoder))
{
    m_vocabulary = buildVocabulary(vocabulary, {}, knowsTerm, &m_dropped);
}

TagExpertFactory::~TagExpertFactory() = default;

QString TagExpertFactory::version() const
{
    QCryptographicHash h(QCryptographicHash::Sha1);
    for (const QString &l : m_vocabulary)
        h.addData(QString(l + QLatin1Char('\n')).toUtf8());
    for (const QString &t : promptTemplates())
        h.addData(t.toUtf8());
    return QStringLiteral("encoder-tags-v1;%1;%2;t=%3;k=%4")
        .arg(m_encoder ? m_encoder->info().name : QStringLiteral("none"), QString::fromLatin1(h.result().toHex().left(10)))
        .arg(m_threshold, 0, 'f', 4)
        .arg(m_topK);
}

void TagExpertFactory::setCalibration(const TagCalibration &calibration)
{
    m_calibration = calibration;
    m_hasCalibration = true;
}

Status TagExpertFactory::initialize(const QVariantMap &options)
{
    m_shared.reset();
    if (!m_encoder)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("no encoder"), name());
    if (m_vocabulary.isEmpty())
        return makeError(ErrorCode::InvalidArgument,
                         m_dropped > 0 ? QStringLiteral("empty tag vocabulary: the encoder knows none of its %1 terms").arg(m_dropped)
                                       : QStringLiteral("empty tag vocabulary"),
                         name());
    m_topK = 5;
    if (options.contains(QStringLiteral("top_k"))) {
        bool ok = false;
        m_topK = options.value(QStringLiteral("top_k")).toInt(&ok);
        if (!ok || m_topK < 1 || m_topK > 100)
            return makeError(ErrorCode::InvalidArgument, QStringLiteral("expected an integer in 1..100"), QStringLiteral("top_k"));
    }
    const EncoderInfo info = m_encoder->info();
    bool calibrated = false;
    if (options.contains(QStringLiteral("threshold"))) {
        bool ok = false;
        m_threshold = options.value(QStringLiteral("threshold")).toDouble(&ok);
        if (!ok || m_threshold < -1 || m_threshold > 1)
            return makeError(ErrorCode::InvalidArgument, QStringLiteral("expected a similarity in -1..1"), QStringLiteral("threshold"));
    } else if (m_hasCalibration) {
        if (m_calibration.encoderName != info.name)
            return makeError(ErrorCode::Unsupported,
                             QStringLiteral("the tag calibration was made with encoder '%1', not '%2'; recalibrate")
                                 .arg(m_calibration.encoderName, info.name),
                             name());
        if (!m_calibration.enabled)
            return makeError(ErrorCode::Unsupported, QStringLiteral("tags are off for encoder '%1': %2").arg(info.name, m_calibration.reason),
                             name());
        m_threshold = m_calibration.threshold;
        calibrated = true;
    } else if (info.clipFamily) {
        m_threshold = kClipDefaultThreshold;
    } else {
        return makeError(ErrorCode::Unsupported,
                         QStringLiteral("tags are off for encoder '%1': it is not CLIP-family and has no tag calibration").arg(info.name),
                         name());
    }

    JobContext ctx;
    Result<Matrix> rows = encodeLabels(*m_encoder, m_vocabulary, ctx);
    if (!rows)
        return rows.error();
    auto shared = std::make_shared<Shared>();
    shared->encoder = m_encoder;
    shared->encoderMutex = std::make_shared<std::mutex>();
    shared->labels = m_vocabulary;
    shared->labelRows = std::move(rows).value();
    shared->threshold = m_threshold;
    shared->topK = m_topK;
    shared->calibrated = calibrated;
    shared->calibration = m_calibration;
    m_shared = std::move(shared);
    return {};
}

std::unique_ptr<IExpert> TagExpertFactory::create()
{
    if (!m_shared)
        return {};
    return std::make_unique<TagExpert>(m_shared);
}

QStringList TagExpertFactory::promptTemplates()
{
    return {QStringLiteral("a photo of a {label}"), QStringLiteral("an image of {label}")};
}

QString TagExpertFactory::prompt(const QString &templ, const QString &label)
{
    QString out = templ;
    // "a photo of a apple" reads wrong to a text tower trained on real captions.
    if (out.contains(QStringLiteral(" a {label}")) && !label.isEmpty()
        && QStringLiteral("aeiou").contains(label.front().toLower()))
        out.replace(QStringLiteral(" a {label}"), QStringLiteral(" an {label}"));
    out.replace(QStringLiteral("{label}"), label);
    return out;
}

Result<Matrix> TagExpertFactory::encodeLabels(IEncoder &encoder, const QStringList &labels, JobContext &ctx)
{
    if (labels.isEmpty())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("empty tag vocabulary"), QStringLiteral("encoder-tags"));
    const QStringList templates = promptTemplates();
    Matrix out;
    for (qsizetype start = 0; start < labels.size(); start += kLabelBatch) {
        if (ctx.isCanceled())
            return makeError(ErrorCode::Canceled, QStringLiteral("canceled while encoding the tag vocabulary"));
        const QStringList chunk = labels.mid(start, kLabelBatch);
        QStringList prompts;
        for (const QString &label : chunk)
            for (const QString &t : templates)
                prompts << prompt(t, label);
        Result<Matrix> enc = encoder.encodeTexts(prompts, ctx);
        if (!enc)
            return enc.error();
        if (enc->rows != prompts.size())
            return makeError(ErrorCode::Internal, QStringLiteral("encoder returned %1 rows for %2 prompts").arg(enc->rows).arg(prompts.size()),
                             QStringLiteral("encoder-tags"));
        if (out.cols == 0)
            out = Matrix(labels.size(), enc->cols);
        for (qsizetype i = 0; i < chunk.size(); ++i) {
            float *dst = out.row(start + i);
            for (qsizetype t = 0; t < templates.size(); ++t) {
                const float *src = enc->row(i * templates.size() + t);
                for (int j = 0; j < out.cols; ++j)
                    dst[j] += src[j] / float(templates.size());
            }
        }
    }
    out.normalizeRows();
    return out;
}

Result<QStringList> TagExpertFactory::builtinVocabulary()
{
    initConceptResources();
    return loadVocabularyFile(QStringLiteral(":/realsyn/concepts/wordnet_nouns.txt"));
}

Result<QStringList> TagExpertFactory::loadVocabularyFile(const QString &path)
{
    QFile f(path);
    if (!f.exists())
        return makeError(ErrorCode::NotFound, QStringLiteral("no such vocabulary file"), path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::IoError, f.errorString(), path);
    QStringList labels;
    const QList<QByteArray> lines = f.readAll().split('\n');
    for (const QByteArray &raw : lines) {
        const QString line = QString::fromUtf8(raw);
        if (line.trimmed().isEmpty() || line.trimmed().startsWith(QLatin1Char('#')))
            continue;
        const QString label = line.section(QLatin1Char('\t'), 0, 0).trimmed();
        if (!label.isEmpty())
            labels << label;
    }
    if (labels.isEmpty())
        return makeError(ErrorCode::ParseError, QStringLiteral("the vocabulary file has no labels"), path);
    return labels;
}

QStringList TagExpertFactory::buildVocabulary(const QStringList &base, const QStringList &corpusPhrases, const KnowsTerm &knowsTerm,
                                              int *dropped)
{
    QStringList out;
    QSet<QString> seen;
    int unknown = 0;
    for (const QStringList *list : {&base, &corpusPhrases}) {
        for (const QString &raw : *list) {
            const QString term = QString(raw).replace(QLatin1Char('_'), QLatin1Char(' ')).simplified().toLower();
            if (term.isEmpty() || seen.contains(term))
                continue;
            seen.insert(term);
            if (knowsTerm && !knowsTerm(term)) {
                ++unknown;
                continue;
            }
            out << term;
        }
    }
    if (dropped)
        *dropped = unknown;
    return out;
}

bool TagExpertFactory::labelOccursIn(const QString &label, const QString &text)
{
    return sequenceOccurs(words(label), words(text));
}

Result<TagCalibration> TagExpertFactory::calibrate(IEncoder &encoder, const QStringList &vocabulary, const QList<QImage> &heldOutImages,
                                                   const QVector<QStringList> &heldOutTexts, const TagCalibrationOptions &options,
                                                   JobContext *ctxIn)
{
    const QString where = QStringLiteral("tag calibration");
    if (vocabulary.isEmpty())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("empty tag vocabulary"), where);
    if (heldOutImages.isEmpty())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("no held-out images"), where);
    if (heldOutImages.size() != heldOutTexts.size())
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("%1 held-out images but %2 text lists").arg(heldOutImages.size()).arg(heldOutTexts.size()), where);
    if (options.topK < 1 || options.minPredictions < 1 || options.targetPrecision <= 0 || options.targetPrecision > 1)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("bad calibration options (top_k >= 1, min predictions >= 1, target in (0, 1])"),
                         where);
    for (qsizetype i = 0; i < heldOutImages.size(); ++i)
        if (heldOutImages[i].isNull())
            return makeError(ErrorCode::InvalidArgument, QStringLiteral("held-out image %1 is null").arg(i), where);

    JobContext localCtx;
    JobContext &ctx = ctxIn ? *ctxIn : localCtx;
    Result<Matrix> labelRows = encodeLabels(encoder, vocabulary, ctx);
    if (!labelRows)
        return labelRows.error();

    // Candidates (similarity, correct) over all images; relevant pairs for recall.
    struct Candidate {
        float sim;
        bool correct;
    };
    std::vector<Candidate> candidates;
    int relevant = 0;
    QVector<QStringList> labelWords;
    labelWords.reserve(vocabulary.size());
    for (const QString &label : vocabulary)
        labelWords << words(label);
    constexpr int kImageBatch = 32;
    for (qsizetype start = 0; start < heldOutImages.size(); start += kImageBatch) {
        if (ctx.isCanceled())
            return makeError(ErrorCode::Canceled, QStringLiteral("canceled during tag calibration"), where);
        QList<QImage> batch;
        for (const QImage &img : heldOutImages.mid(start, kImageBatch))
            batch << img.convertToFormat(QImage::Format_RGB888);
        Result<Matrix> emb = encoder.encodeImages(batch, ctx);
        if (!emb)
            return emb.error();
        if (emb->rows != batch.size() || emb->cols != labelRows->cols)
            return makeError(ErrorCode::Internal, QStringLiteral("encoder returned a %1 x %2 matrix for %3 images of width %4")
                                                      .arg(emb->rows).arg(emb->cols).arg(batch.size()).arg(labelRows->cols),
                             where);
        for (qsizetype b = 0; b < batch.size(); ++b) {
            const QString text = heldOutTexts[start + b].join(QLatin1Char('\n'));
            const QStringList textWords = words(text);
            for (const QStringList &lw : labelWords)
                relevant += sequenceOccurs(lw, textWords) ? 1 : 0;
            for (const auto &[index, sim] : topLabels(*labelRows, emb->row(b), options.topK))
                candidates.push_back({sim, sequenceOccurs(labelWords[index], textWords)});
        }
    }

    std::sort(candidates.begin(), candidates.end(), [](const Candidate &a, const Candidate &b) { return a.sim > b.sim; });

    TagCalibration cal;
    cal.encoderName = encoder.info().name;
    cal.targetPrecision = options.targetPrecision;
    cal.images = int(heldOutImages.size());
    cal.relevant = relevant;

    // Sweep thresholds from the highest similarity down; a tie group is
    // admitted whole (a threshold cannot split equal similarities).
    struct Step {
        double sim;
        int predicted;
        int correct;
    };
    std::vector<Step> steps;
    int predicted = 0, correct = 0;
    for (size_t i = 0; i < candidates.size(); ++i) {
        ++predicted;
        correct += candidates[i].correct ? 1 : 0;
        if (i + 1 == candidates.size() || candidates[i + 1].sim != candidates[i].sim)
            steps.push_back({candidates[i].sim, predicted, correct});
    }
    int chosen = -1;
    for (int s = 0; s < int(steps.size()); ++s) {
        const Step &st = steps[size_t(s)];
        if (st.predicted < options.minPredictions)
            continue;
        const double p = double(st.correct) / st.predicted;
        cal.bestPrecision = std::max(cal.bestPrecision, p);
        if (p + 1e-12 < options.targetPrecision)
            continue;
        // Recall grows with `correct`; among equal recall prefer the higher precision (earlier step).
        if (chosen < 0 || st.correct > steps[size_t(chosen)].correct)
            chosen = s;
    }

    // Confidence curve: precision of everything at or above each step,
    // ascending similarity, then made non-decreasing (a tag scoring higher
    // never gets a lower confidence).
    for (auto it = steps.rbegin(); it != steps.rend(); ++it)
        cal.curve.append(QPointF(it->sim, double(it->correct) / it->predicted));
    for (qsizetype j = cal.curve.size() - 2; j >= 0; --j)
        cal.curve[j].setY(std::min(cal.curve[j].y(), cal.curve[j + 1].y()));
    if (cal.curve.size() > kMaxCurvePoints) {
        QVector<QPointF> thin;
        const double step = double(cal.curve.size() - 1) / (kMaxCurvePoints - 1);
        for (int k = 0; k < kMaxCurvePoints; ++k)
            thin.append(cal.curve[qsizetype(std::lround(k * step))]);
        cal.curve = thin;
    }

    if (chosen < 0) {
        cal.enabled = false;
        cal.reason = QStringLiteral("no threshold reaches precision %1 on %2 held-out images (best %3 with at least %4 tags); tags off")
                         .arg(options.targetPrecision, 0, 'f', 2)
                         .arg(cal.images)
                         .arg(cal.bestPrecision, 0, 'f', 2)
                         .arg(options.minPredictions);
        return cal;
    }
    const Step &st = steps[size_t(chosen)];
    cal.enabled = true;
    cal.threshold = st.sim;
    cal.predicted = st.predicted;
    cal.correct = st.correct;
    cal.precision = double(st.correct) / st.predicted;
    cal.recall = relevant > 0 ? double(st.correct) / relevant : 0.0;
    cal.reason = QStringLiteral("threshold %1: precision %2, recall %3 on %4 held-out images (%5 of %6 tags in the alt texts/captions)")
                     .arg(cal.threshold, 0, 'f', 4)
                     .arg(cal.precision, 0, 'f', 2)
                     .arg(cal.recall, 0, 'f', 2)
                     .arg(cal.images)
                     .arg(cal.correct)
                     .arg(cal.predicted);
    return cal;
}

} // namespace rs
