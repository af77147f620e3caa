#include "ui/views/inspector.h"

#include "core/extract/imagefilters.h"
#include "core/extract/imageprobe.h"
#include "core/index/fusion.h"
#include "core/sample/sampledecisions.h"
#include "core/sample/samplestage.h"
#include "core/store/projectstore.h"
#include "core/store/reasons.h"
#include "core/store/samplequery.h"
#include "ui/models/projectsession.h"
#include "ui/models/settinglabel.h"
#include "ui/widgets/zoomimageview.h"

#include <QCheckBox>
#include <QCursor>
#include <QHelpEvent>
#include <QToolTip>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <cmath>

namespace rs {

namespace {

QString esc(const QString &s) { return s.toHtmlEscaped(); }

QString row(const QString &filter, const QString &score, const QString &threshold, bool pass)
{
    return QStringLiteral("<tr><td>%1</td><td align=right>%2</td><td align=right>%3</td><td style='color:%4'>%5</td></tr>")
        .arg(filter, score, threshold, pass ? QStringLiteral("#208030") : QStringLiteral("#b03030"),
             pass ? QStringLiteral("pass") : QStringLiteral("drop"));
}

} // namespace

Inspector::Inspector(ProjectSession *session, QWidget *parent) : QWidget(parent), m_session(session)
{
    m_image = new ZoomImageView(this);
    m_overlays = new QCheckBox(QStringLiteral("Expert overlays"), this);
    m_overlays->setChecked(true);
    m_overlays->setToolTip(QStringLiteral("Boxes of expert findings (OCR words with their text, faces, …) over the image (O)"));
    m_overlays->setShortcut(QKeySequence(Qt::Key_O));
    m_header = new QLabel(this);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_header->setWordWrap(true); // a long format/size line must not widen the dock
    m_text = new QTextBrowser(this);
    m_text->setOpenLinks(false);
    m_text->viewport()->installEventFilter(this);
    m_synthetic = new QPlainTextEdit(this);
    m_synthetic->setPlaceholderText(QStringLiteral("No synthetic text yet (run the generate stage), or write one"));
    m_synthetic->setMaximumHeight(90);
    m_synthetic->setToolTip(QStringLiteral("The synthetic text; saving an edit is a curator decision that wins over the generator"));
    m_editedMarker = new QLabel(this);
    m_editedMarker->setToolTip(QStringLiteral("The synthetic text differs from the stored one; it is saved when you select another image, or now with Ctrl+S"));
    m_saveText = new QPushButton(QStringLiteral("Save text"), this);
    m_saveText->setToolTip(QStringLiteral("Store the edited synthetic text (Ctrl+S); empty restores the generator's text"));
    m_saveText->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_S));
    m_accept = new QPushButton(QStringLiteral("Accept (A)"), this);
    m_accept->setToolTip(QStringLiteral("Keep this sample whatever the filters say (A); moves to the next"));
    m_reject = new QPushButton(QStringLiteral("Reject (R)"), this);
    m_reject->setToolTip(QStringLiteral("Leave this sample out of the export whatever the filters say (R); moves to the next"));
    m_clear = new QPushButton(QStringLiteral("Clear"), this);
    m_clear->setToolTip(QStringLiteral("Forget the curator decision: the filters decide again"));

    auto *top = new QWidget(this);
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    auto *imageBar = new QHBoxLayout;
    imageBar->addWidget(m_header, 1);
    imageBar->addWidget(m_overlays);
    topLayout->addLayout(imageBar);
    topLayout->addWidget(m_image, 1);

    auto *bottom = new QWidget(this);
    auto *bottomLayout = new QVBoxLayout(bottom);
    bottomLayout->setContentsMargins(0, 0, 0, 0);
    bottomLayout->addWidget(m_text, 1);
    auto *synHeader = new QHBoxLayout;
    synHeader->addWidget(new QLabel(QStringLiteral("<b>Synthetic text</b>"), bottom));
    synHeader->addWidget(m_editedMarker, 1);
    bottomLayout->addLayout(synHeader);
    bottomLayout->addWidget(m_synthetic);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_saveText);
    buttons->addStretch(1);
    buttons->addWidget(m_accept);
    buttons->addWidget(m_reject);
    buttons->addWidget(m_clear);
    bottomLayout->addLayout(buttons);

    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(top);
    split->addWidget(bottom);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 4);
    // The text browser's size hint is large; without explicit sizes the
    // image would start as a thin strip.
    m_image->setMinimumHeight(200);
    split->setSizes({420, 560});
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(split);

    connect(m_overlays, &QCheckBox::toggled, m_image, &ZoomImageView::setOverlaysVisible);
    connect(m_accept, &QPushButton::clicked, this, &Inspector::accept);
    connect(m_reject, &QPushButton::clicked, this, &Inspector::reject);
    connect(m_clear, &QPushButton::clicked, this, &Inspector::clearDecision);
    connect(m_saveText, &QPushButton::clicked, this, [this]() {
        if (m_id < 0)
            return;
        m_storedText = m_synthetic->toPlainText().trimmed();
        m_session->setEditedText(m_id, m_storedText);
        m_unsaved = false;
        updateEditedMarker();
    });
    connect(m_synthetic, &QPlainTextEdit::textChanged, this, [this]() {
        m_unsaved = m_id >= 0 && m_synthetic->toPlainText().trimmed() != m_storedText;
        updateEditedMarker();
    });
    connect(m_text, &QTextBrowser::anchorClicked, this, [this](const QUrl &url) {
        // rs-sample:<id> links (duplicate_of and the like) select that image.
        if (url.scheme() == QLatin1String("rs-sample"))
            Q_EMIT sampleLinkClicked(url.path().toLongLong());
        else if (url.scheme() == QLatin1String("rs-why")) // a click shows the same as hovering
            QToolTip::showText(QCursor::pos(), whyText(url.path().toInt()), m_text->viewport());
    });
    // After a run the stored facts (size, verdicts, texts) may have changed.
    connect(m_session->runner(), &JobRunner::finished, this, [this]() {
        if (m_id >= 0)
            showSample(m_id);
    });
    connect(m_session, &ProjectSession::samplesChanged, this, [this](const QVector<qint64> &ids) {
        if (m_id >= 0 && ids.contains(m_id))
            showSample(m_id);
    });
    connect(m_session, &ProjectSession::preview, this, [this]() { render(); });
    connect(m_session, &ProjectSession::aboutToClose, this, &Inspector::commitEdit);
    connect(m_session, &ProjectSession::closed, this, [this]() { showSample(-1); });
    showSample(-1);
}

QString Inspector::whyText(int rank) const
{
    for (const QJsonValue &v : m_details.value(QStringLiteral("retrieved")).toArray()) {
        const QJsonObject r = v.toObject();
        if (r.value(QStringLiteral("rank")).toInt() != rank)
            continue;
        const double stored = r.value(QStringLiteral("score")).toDouble();
        const QJsonObject signals = r.value(QStringLiteral("signals")).toObject();
        Candidate c;
        bool any = false;
        for (int s = 0; s < kSignalCount; ++s) {
            const QJsonValue value = signals.value(signalName(s));
            any |= !value.isNull() && !value.isUndefined();
            c.signal[size_t(s)] = float(value.toDouble());
        }
        QString text = QStringLiteral("<b>Why this text</b> (rank %1)<br>fused score <b>%2</b>").arg(rank).arg(stored, 0, 'f', 3);
        if (!any)
            return text + QStringLiteral("<br>No per-signal scores: retrieved in document mode, or before signals were stored.");
        // The stage's own fusion (core/index/fusion): each signal's part is
        // the fused score of the candidate with that signal alone.
        const SignalWeights weights = SignalWeights::fromRecipe(m_session->recipe());
        text += QStringLiteral("<table cellspacing=0 cellpadding=2><tr><th align=left>signal</th><th>score</th><th>weight</th><th>contributes</th></tr>");
        for (int s = 0; s < kSignalCount; ++s) {
            Candidate alone;
            alone.signal[size_t(s)] = c.signal[size_t(s)];
            text += QStringLiteral("<tr><td>%1</td><td align=right>%2</td><td align=right>%3</td><td align=right>%4</td></tr>")
                        .arg(signalName(s))
                        .arg(c.signal[size_t(s)], 0, 'f', 3)
                        .arg(weights.w[size_t(s)], 0, 'g', 3)
                        .arg(fusedScore(alone, weights), 0, 'f', 3);
        }
        text += QStringLiteral("</table>");
        if (std::abs(fusedScore(c, weights) - stored) > 1e-3)
            text += QStringLiteral("<br><i>The fusion weights changed since retrieve ran (now %1): re-run retrieve.</i>")
                        .arg(fusedScore(c, weights), 0, 'f', 3);
        return text;
    }
    return {};
}

bool Inspector::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_text->viewport() && event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QString anchor = m_text->anchorAt(help->pos());
        if (anchor.startsWith(QLatin1String("rs-why:"))) {
            QToolTip::showText(help->globalPos(), whyText(anchor.mid(7).toInt()), m_text->viewport());
            return true;
        }
        QToolTip::hideText();
    }
    return QWidget::eventFilter(watched, event);
}

void Inspector::accept()
{
    if (m_id < 0)
        return;
    m_session->setDecision(m_id, QStringLiteral("accept"));
    Q_EMIT decided(m_id, QStringLiteral("accept"));
}

void Inspector::reject()
{
    if (m_id < 0)
        return;
    m_session->setDecision(m_id, QStringLiteral("reject"));
    Q_EMIT decided(m_id, QStringLiteral("reject"));
}

void Inspector::clearDecision()
{
    if (m_id >= 0)
        m_session->setDecision(m_id, QStringLiteral("clear"));
}

void Inspector::commitEdit()
{
    if (!hasUnsavedEdit())
        return;
    m_storedText = m_synthetic->toPlainText().trimmed();
    m_session->setEditedText(m_id, m_storedText);
    m_unsaved = false;
    updateEditedMarker();
}

void Inspector::updateEditedMarker()
{
    const bool edited = m_details.value(QStringLiteral("synthetic_text_edited")).toBool();
    m_editedMarker->setText(m_unsaved ? QStringLiteral("<span style='color:#c07000'>● edited, not saved yet</span>")
                            : edited  ? QStringLiteral("<span style='color:#3070c0'>✎ edited by the curator</span>")
                                      : QString());
}

void Inspector::showSample(qint64 id)
{
    const bool sameImage = id == m_id && id >= 0;
    if (!sameImage)
        commitEdit(); // leaving an image saves its edit
    m_id = id;
    m_details = {};
    for (QWidget *w : {static_cast<QWidget *>(m_accept), static_cast<QWidget *>(m_reject), static_cast<QWidget *>(m_clear),
                       static_cast<QWidget *>(m_saveText), static_cast<QWidget *>(m_synthetic)})
        w->setEnabled(id >= 0);
    if (id < 0 || !m_session->store()) {
        m_header->setText(QString());
        m_image->setMessage(m_session->isOpen() ? QStringLiteral("Select a sample in the browser") : QStringLiteral("No project open"));
        m_text->setHtml(QStringLiteral("<p style='color:#777'>Nothing selected. Use the arrow keys in the browser; A accepts, R rejects.</p>"));
        m_storedText.clear();
        m_synthetic->clear();
        m_unsaved = false;
        updateEditedMarker();
        return;
    }
    auto details = sampleDetails(*m_session->store(), id);
    if (!details) {
        m_image->setMessage(details.error().toString());
        m_text->clear();
        return;
    }
    m_details = details.value();
    m_storedText = m_details.value(QStringLiteral("synthetic_text")).toString().trimmed();
    // A refresh of the same image (a decision, a finished run) keeps what
    // the curator is typing.
    if (!(sameImage && m_unsaved))
        m_synthetic->setPlainText(m_details.value(QStringLiteral("synthetic_text")).toString());
    m_unsaved = m_synthetic->toPlainText().trimmed() != m_storedText;
    updateEditedMarker();
    render();
    if (sameImage)
        return; // a decision changed; the pixels did not

    QVector<ZoomImageView::Box> boxes;
    for (const QJsonValue &v : m_details.value(QStringLiteral("experts")).toArray()) {
        const QJsonObject f = v.toObject();
        const QJsonArray box = f.value(QStringLiteral("box")).toArray();
        // OCR lines carry the words' text; drawing both levels doubles the clutter.
        if (f.value(QStringLiteral("kind")).toString() == QLatin1String("ocr") && f.value(QStringLiteral("level")).toString() == QLatin1String("word"))
            continue;
        if (box.size() == 4)
            boxes.push_back({QRectF(box[0].toDouble(), box[1].toDouble(), box[2].toDouble(), box[3].toDouble()),
                             f.value(QStringLiteral("text")).toString() + f.value(QStringLiteral("label")).toString(),
                             f.value(QStringLiteral("kind")).toString()});
    }
    const QString path = m_details.value(QStringLiteral("path")).toString();
    m_image->setMessage(QStringLiteral("Loading…"));
    const quint64 serial = ++m_imageSerial;
    auto *watcher = new QFutureWatcher<Result<QImage>>(this);
    connect(watcher, &QFutureWatcher<Result<QImage>>::finished, this, [this, watcher, serial, boxes]() {
        watcher->deleteLater();
        if (serial != m_imageSerial)
            return;
        Result<QImage> image = watcher->result();
        if (!image) {
            m_image->setMessage(QStringLiteral("Cannot show this image:\n") + image.error().message);
            return;
        }
        m_image->setImage(image.value());
        m_image->setBoxes(boxes);
        m_image->setOverlaysVisible(m_overlays->isChecked());
    });
    // Full resolution, bounded so a 20k-pixel poster does not eat memory.
    watcher->setFuture(QtConcurrent::run([path]() { return loadImageRgb(path, ProbeOptions{}, 8192); }));
}

QString Inspector::filterTable() const
{
    const Recipe &recipe = m_session->previewRecipe();
    const QJsonObject &d = m_details;
    const QLocale loc;
    const int w = d.value(QStringLiteral("width")).toInt(), h = d.value(QStringLiteral("height")).toInt();
    QString html = QStringLiteral("<h4>Filter decisions</h4><table cellspacing=0 cellpadding=3 border=1 style='border-color:#ccc'>"
                                  "<tr><th>filter</th><th>score</th><th>threshold</th><th></th></tr>");
    if (w > 0 && h > 0) {
        // The kernel's own tests (extract/imagefilters.h), not a copy of them.
        for (const ImageFilterCheck &c : imageFilterChecks(w, h, -1, ImageFilterSettings::fromRecipe(recipe))) {
            const bool integral = c.key != QLatin1String("extract.max_aspect");
            html += row(esc(settingLabel(c.key)), integral ? loc.toString(qint64(c.score)) : QString::number(c.score, 'f', 2),
                        integral ? loc.toString(qint64(c.threshold)) : QString::number(c.threshold, 'f', 2), c.passes);
        }
    }
    for (const QJsonValue &v : d.value(QStringLiteral("reasons")).toArray()) {
        const QJsonObject r = v.toObject();
        QString what = reasonDisplayName(ReasonTable::Images, r.value(QStringLiteral("reason")).toString());
        if (r.contains(QStringLiteral("duplicate_of")))
            what += QStringLiteral(" of <a href='rs-sample:%1'>#%1</a>").arg(r.value(QStringLiteral("duplicate_of")).toInteger());
        if (r.contains(QStringLiteral("detail")))
            what += QStringLiteral(" (") + esc(r.value(QStringLiteral("detail")).toString()) + QStringLiteral(")");
        html += QStringLiteral("<tr><td>stored decision</td><td colspan=3 style='color:#b03030'>%1</td></tr>").arg(what);
    }
    const QJsonObject gen = d.value(QStringLiteral("generation")).toObject();
    if (gen.contains(QStringLiteral("similarity")) && !gen.value(QStringLiteral("similarity")).isNull()) {
        const QJsonObject band = SampleStage::storedStats(*m_session->store()).value(QStringLiteral("band")).toObject();
        const double s = gen.value(QStringLiteral("similarity")).toDouble();
        const QString mode = band.value(QStringLiteral("mode")).toString();
        if (mode == QLatin1String("absolute") || mode == QLatin1String("percentile")) {
            const double lo = band.value(QStringLiteral("low")).toDouble(), hi = band.value(QStringLiteral("high")).toDouble();
            html += row(QStringLiteral("sample band (%1)").arg(mode), QString::number(s, 'f', 3),
                        QStringLiteral("%1 … %2").arg(lo, 0, 'f', 3).arg(hi, 0, 'f', 3), s >= lo && s <= hi);
        } else {
            html += QStringLiteral("<tr><td>similarity</td><td align=right>%1</td><td colspan=2>no band</td></tr>").arg(s, 0, 'f', 3);
        }
    }
    if (d.contains(QStringLiteral("cluster")))
        html += QStringLiteral("<tr><td>cluster</td><td align=right>%1</td><td align=right>cap %2</td><td style='color:%3'>%4</td></tr>")
                    .arg(d.value(QStringLiteral("cluster")).toInteger())
                    .arg(SampleSettings::fromRecipe(recipe, /*clipFamily=*/false).cap)
                    .arg(d.value(QStringLiteral("sampled")).toBool() ? QStringLiteral("#208030") : QStringLiteral("#b03030"))
                    .arg(d.value(QStringLiteral("sampled")).toBool()
                             ? QStringLiteral("sampled")
                             : esc(reasonDisplayName(ReasonTable::Sample, d.value(QStringLiteral("sample_reason")).toString())));
    const QString curator = d.value(QStringLiteral("curator_decision")).toString();
    html += QStringLiteral("<tr><td>curator</td><td colspan=3><b>%1</b></td></tr>").arg(curator.isEmpty() ? QStringLiteral("—") : curator);
    html += QStringLiteral("<tr><td><b>export</b></td><td colspan=3><b>%1</b></td></tr></table>")
                .arg(!d.value(QStringLiteral("probed")).toBool() ? QStringLiteral("not decided yet (run extract)")
                     : d.value(QStringLiteral("selected")).toBool() ? QStringLiteral("selected")
                                                                    : QStringLiteral("not selected"));
    return html;
}

void Inspector::render()
{
    if (m_id < 0 || m_details.isEmpty())
        return;
    const QJsonObject &d = m_details;
    const QLocale loc;
    if (!d.value(QStringLiteral("probed")).toBool())
        m_header->setText(QStringLiteral("<b>#%1</b> · not probed yet (run extract)").arg(m_id));
    else
        m_header->setText(QStringLiteral("<b>#%1</b> · %2×%3 · %4 · %5 bytes")
                              .arg(m_id)
                              .arg(d.value(QStringLiteral("width")).toInt())
                              .arg(d.value(QStringLiteral("height")).toInt())
                              .arg(d.value(QStringLiteral("format")).toString(), loc.toString(d.value(QStringLiteral("bytes")).toInteger())));
    // Secondary text in the palette's muted colour: readable in dark and light schemes.
    const QString muted = palette().color(QPalette::PlaceholderText).name();
    QString html = QStringLiteral("<p style='color:%2'>%1</p>").arg(esc(d.value(QStringLiteral("path")).toString()), muted);
    const QString caption = d.value(QStringLiteral("caption")).toString();
    // With a curator's edit, `generator` is "curator"; the caption is still the generator's.
    const QString generator = d.contains(QStringLiteral("generated_by")) ? d.value(QStringLiteral("generated_by")).toString()
                                                                         : d.value(QStringLiteral("generator")).toString();
    const bool generated = !generator.isEmpty();
    html += QStringLiteral("<h4>Caption</h4><p>%1</p>")
                .arg(!caption.isEmpty() ? esc(caption)
                     : generated        ? QStringLiteral("<i>none (the generator %1 gave no caption)</i>").arg(esc(generator))
                                        : QStringLiteral("<i>none yet (generate stage)</i>"));

    html += QStringLiteral("<h4>Retrieved realistic texts</h4>");
    const QJsonArray retrieved = d.value(QStringLiteral("retrieved")).toArray();
    if (retrieved.isEmpty()) {
        html += QStringLiteral("<p><i>none yet (retrieve stage)</i></p>");
    } else {
        html += QStringLiteral("<table cellspacing=0 cellpadding=3 border=1 style='border-color:#ccc'><tr><th>rank</th><th>score</th><th>text</th></tr>");
        for (const QJsonValue &v : retrieved) {
            const QJsonObject r = v.toObject();
            // Hovering the score or the text says why (see whyText()).
            const int rank = r.value(QStringLiteral("rank")).toInt();
            html += QStringLiteral("<tr><td align=right>%1</td><td align=right><a href='rs-why:%1'>%2</a></td><td><a href='rs-why:%1' style='text-decoration:none; color:%4'>%3</a></td></tr>")
                        .arg(rank)
                        .arg(r.value(QStringLiteral("score")).toDouble(), 0, 'f', 3)
                        .arg(esc(r.value(QStringLiteral("text")).toString()), palette().color(QPalette::Text).name());
        }
        html += QStringLiteral("</table>");
    }
    html += filterTable();

    html += QStringLiteral("<h4>Provenance</h4>");
    const QJsonArray provenance = d.value(QStringLiteral("provenance")).toArray();
    if (provenance.isEmpty())
        html += QStringLiteral("<p><i>no page references this image</i></p>");
    for (const QJsonValue &v : provenance) {
        const QJsonObject p = v.toObject();
        html += QStringLiteral("<p><b>%1</b><br><span style='color:%3'>%2</span>")
                    .arg(esc(p.value(QStringLiteral("title")).toString().isEmpty() ? p.value(QStringLiteral("document")).toString()
                                                                                   : p.value(QStringLiteral("title")).toString()),
                         esc(p.value(QStringLiteral("source_path")).toString()), muted);
        for (auto [key, label] : {std::pair{"alt", "alt"}, {"image_title", "title"}, {"caption", "caption"}})
            if (p.contains(QLatin1String(key)))
                html += QStringLiteral("<br><i>%1:</i> %2").arg(QLatin1String(label), esc(p.value(QLatin1String(key)).toString()));
        const QJsonArray context = p.value(QStringLiteral("context")).toArray();
        if (!context.isEmpty()) {
            html += QStringLiteral("<br><i>nearby text:</i><ul style='margin-top:0'>");
            for (const QJsonValue &c : context)
                html += QStringLiteral("<li>%1</li>").arg(esc(c.toString()));
            html += QStringLiteral("</ul>");
        }
        html += QStringLiteral("</p>");
    }
    const QJsonArray experts = d.value(QStringLiteral("experts")).toArray();
    if (!experts.isEmpty()) {
        html += QStringLiteral("<h4>Expert findings</h4><ul>");
        for (const QJsonValue &v : experts) {
            const QJsonObject f = v.toObject();
            html += QStringLiteral("<li>%1 (%2, %3): %4</li>")
                        .arg(esc(f.value(QStringLiteral("kind")).toString()), esc(f.value(QStringLiteral("expert")).toString()))
                        .arg(f.value(QStringLiteral("confidence")).toDouble(), 0, 'f', 2)
                        .arg(esc(f.value(QStringLiteral("text")).toString() + f.value(QStringLiteral("label")).toString()));
        }
        html += QStringLiteral("</ul>");
    }
    m_text->setHtml(html);
}

} // namespace rs
