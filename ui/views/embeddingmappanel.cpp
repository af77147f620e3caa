#include "ui/views/embeddingmappanel.h"

#include "core/store/projectstore.h"
#include "core/store/reasons.h"
#include "core/util/idlist.h"
#include "ui/models/projectsession.h"
#include "ui/models/samplelistmodel.h"
#include "ui/views/exportdialog.h"
#include "ui/views/samplebrowser.h"
#include "ui/widgets/pointmapview.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QPointer>
#include <QProgressBar>
#include <QSaveFile>
#include <QSet>
#include <QToolButton>
#include <QUndoCommand>
#include <QUndoStack>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <algorithm>
#include <utility>
#include <cmath>

namespace rs {

namespace {

using Sort = SampleListModel::Sort;

// Distinct hues for categories (clusters, reasons): the golden angle apart.
QRgb categoryColor(int index)
{
    return QColor::fromHsvF(std::fmod(0.07 + index * 0.618033988749895, 1.0), 0.70, 0.92).rgb();
}

// A perceptually ordered ramp (viridis' stops) for scores, t in [0, 1].
QRgb rampColor(double t)
{
    static const QColor stops[] = {QColor(68, 1, 84), QColor(59, 82, 139), QColor(33, 145, 140), QColor(94, 201, 98), QColor(253, 231, 37)};
    t = std::clamp(t, 0.0, 1.0) * 4;
    const int i = std::min(3, int(t));
    const double f = t - i;
    const QColor &a = stops[i], &b = stops[i + 1];
    return qRgb(int(a.red() + f * (b.red() - a.red())), int(a.green() + f * (b.green() - a.green())), int(a.blue() + f * (b.blue() - a.blue())));
}

constexpr QRgb kNoValue = 0xff8c8c8c; // grey: no cluster, no score, rejected
constexpr QRgb kSelected = 0xff2ca02c, kKept = 0xff3b7dd8;

QString swatch(QRgb c, const QString &label)
{
    return QStringLiteral("<span style='color:%1'>&#9632;</span>&nbsp;%2").arg(QColor(c).name(), label.toHtmlEscaped());
}

} // namespace

EmbeddingMapPanel::EmbeddingMapPanel(ProjectSession *session, SampleBrowser *browser, QWidget *parent)
    : QWidget(parent), m_session(session), m_browser(browser)
{
    m_map = new PointMapView(this);
    m_map->setObjectName(QStringLiteral("pointMap"));
    m_method = new QComboBox(this);
    m_method->addItem(QStringLiteral("PCA"), int(EmbeddingLayout::Method::Pca));
    m_method->addItem(QStringLiteral("neighbours"), int(EmbeddingLayout::Method::Neighbors));
    m_method->setToolTip(QStringLiteral("PCA: the two directions of largest variance (fast);\n"
                                        "neighbours: a UMAP-style layout that keeps similar images together (slower, cached in the project)"));
    m_color = new QComboBox(this);
    m_color->addItem(QStringLiteral("cluster"), QVariantList{int(ColorBy::Cluster), 0});
    m_color->addItem(QStringLiteral("kept / selected"), QVariantList{int(ColorBy::Selection), 0});
    m_color->addItem(QStringLiteral("reason"), QVariantList{int(ColorBy::Reason), 0});
    // Every score the browser sorts by (SampleListModel::scoreOf computes
    // them); the cluster is a category, coloured above.
    for (Sort sort : SampleListModel::scores())
        if (sort != Sort::Cluster)
            m_color->addItem(SampleListModel::scoreLabel(sort), QVariantList{int(ColorBy::Score), int(sort)});
    m_color->setToolTip(QStringLiteral("What the colours show"));
    // The dock shares the right column with the inspector at 1280x720:
    // the combos may shrink below their longest entry.
    for (QComboBox *box : {m_method, m_color}) {
        box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        box->setMinimumContentsLength(6);
    }
    m_lasso = new QToolButton(this);
    m_lasso->setText(QStringLiteral("Lasso"));
    m_lasso->setCheckable(true);
    m_lasso->setToolTip(QStringLiteral("Drag to select images (Shift+drag does too; Ctrl adds to the selection); without it a drag pans"));
    m_fit = new QToolButton(this);
    m_fit->setText(QStringLiteral("Fit"));
    m_fit->setToolTip(QStringLiteral("Show every point"));
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_progress = new QProgressBar(this);
    m_progress->setMaximumHeight(12);
    m_progress->setTextVisible(false);
    m_progress->hide();
    m_legend = new QLabel(this);
    m_legend->setWordWrap(true);
    m_legend->setTextFormat(Qt::RichText);

    m_selectionBar = new QWidget(this);
    m_selectionLabel = new QLabel(m_selectionBar);
    auto *show = new QToolButton(m_selectionBar);
    show->setText(QStringLiteral("Show"));
    show->setToolTip(QStringLiteral("Filter the browser to the selected images"));
    auto *accept = new QToolButton(m_selectionBar);
    accept->setText(QStringLiteral("Accept"));
    auto *reject = new QToolButton(m_selectionBar);
    reject->setText(QStringLiteral("Reject"));
    auto *save = new QToolButton(m_selectionBar);
    save->setText(QStringLiteral("Export"));
    save->setToolTip(QStringLiteral("Export the selected images through the exporter, or save their ids"));
    save->setPopupMode(QToolButton::InstantPopup);
    auto *saveMenu = new QMenu(save);
    QAction *exportSamples = saveMenu->addAction(QStringLiteral("Export these samples…"));
    QAction *saveIds = saveMenu->addAction(QStringLiteral("Save id list…"));
    exportSamples->setEnabled(ExportDialog::isAvailable());
    save->setMenu(saveMenu);
    auto *clear = new QToolButton(m_selectionBar);
    clear->setText(QStringLiteral("Clear"));
    auto *selLayout = new QHBoxLayout(m_selectionBar);
    selLayout->setContentsMargins(0, 0, 0, 0);
    selLayout->addWidget(m_selectionLabel, 1);
    for (QToolButton *b : {show, accept, reject, save, clear})
        selLayout->addWidget(b);
    m_selectionBar->hide();

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_method);
    bar->addWidget(m_color, 1);
    bar->addWidget(m_lasso);
    bar->addWidget(m_fit);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(bar);
    layout->addWidget(m_status);
    layout->addWidget(m_progress);
    layout->addWidget(m_map, 1);
    layout->addWidget(m_legend);
    layout->addWidget(m_selectionBar);

    connect(m_method, &QComboBox::currentIndexChanged, this, [this]() {
        m_stale = true;
        refresh();
    });
    connect(m_color, &QComboBox::currentIndexChanged, this, &EmbeddingMapPanel::recolor);
    connect(m_lasso, &QToolButton::toggled, m_map, &PointMapView::setLassoMode);
    connect(m_fit, &QToolButton::clicked, m_map, &PointMapView::fitAll);
    connect(m_map, &PointMapView::selectionChanged, this, &EmbeddingMapPanel::updateSelectionBar);
    connect(m_map, &PointMapView::selectionDrawn, this, [this]() { recordSelectionStep(QStringLiteral("Select")); });
    connect(m_map, &PointMapView::pointClicked, this, [this](qint32 index) {
        if (m_browser && index >= 0 && index < m_layout.size())
            m_browser->selectSample(m_layout.ids()[size_t(index)]);
    });
    connect(show, &QToolButton::clicked, this, &EmbeddingMapPanel::showSelectionInBrowser);
    connect(accept, &QToolButton::clicked, this, [this]() { decideSelection(QStringLiteral("accept")); });
    connect(reject, &QToolButton::clicked, this, [this]() { decideSelection(QStringLiteral("reject")); });
    connect(exportSamples, &QAction::triggered, this, [this]() {
        const std::vector<qint64> ids = selectedIds();
        auto *dialog = new ExportDialog(m_session, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setImageIds(QVector<qint64>(ids.begin(), ids.end()), QStringLiteral("the map selection"));
        dialog->open();
    });
    connect(saveIds, &QAction::triggered, this, [this]() {
        const QString path = QFileDialog::getSaveFileName(this, QStringLiteral("Save selected image ids"), QStringLiteral("map-selection.txt"));
        if (!path.isEmpty() && !saveIdList(path))
            m_status->setText(QStringLiteral("Could not write %1.").arg(path));
    });
    connect(clear, &QToolButton::clicked, this, &EmbeddingMapPanel::clearSelection);

    connect(m_session, &ProjectSession::opened, this, [this]() {
        m_stale = true;
        setLayout(EmbeddingLayout());
        if (isVisible())
            refresh();
    });
    connect(m_session, &ProjectSession::closed, this, [this]() {
        cancelRunning();
        setLayout(EmbeddingLayout());
        m_status->clear();
    });
    // A stage run may have changed the embeddings: the cache key decides
    // whether anything is recomputed.
    connect(m_session, &ProjectSession::stagesChanged, this, [this]() {
        m_stale = true;
        if (isVisible())
            refresh();
    });
    // Verdicts and scores changed (a slider, a decision): colours only.
    connect(m_session, &ProjectSession::liveChanged, this, &EmbeddingMapPanel::setLayoutRowsAndRecolor);
    // A slider's preview changes verdicts, never clusters or scores.
    connect(m_session, &ProjectSession::preview, this, [this]() {
        const ColorBy by = ColorBy(m_color->currentData().toList().value(0).toInt());
        if (by == ColorBy::Selection || by == ColorBy::Reason)
            recolor();
    });
    updateSelectionBar();
}

EmbeddingMapPanel::~EmbeddingMapPanel()
{
    cancelRunning();
}

QString EmbeddingMapPanel::statusText() const
{
    return m_status->text();
}

void EmbeddingMapPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_stale && !m_computing)
        refresh();
}

void EmbeddingMapPanel::cancelRunning()
{
    ++m_serial;
    if (m_running)
        m_running->cancel();
    m_running.reset();
    m_computing = false;
    m_progress->hide();
}

void EmbeddingMapPanel::refresh()
{
    if (!m_session->isOpen() || !m_session->store()) {
        m_status->setText(QStringLiteral("No project open."));
        return;
    }
    cancelRunning();
    const quint64 serial = m_serial;
    EmbeddingLayout::Options opts;
    opts.method = EmbeddingLayout::Method(m_method->currentData().toInt());
    opts.seed = quint64(m_session->recipe().intValue(QStringLiteral("seed")));
    const QString dir = m_session->store()->dir();
    m_computing = true;
    m_status->setText(QStringLiteral("Laying out the image embeddings (%1)…").arg(m_method->currentText()));
    m_progress->setRange(0, 0);
    m_progress->show();

    // Progress comes from the worker; it reaches the bar through the event
    // loop, and not at all once this request is superseded.
    QPointer<EmbeddingMapPanel> self(this);
    auto ctx = std::make_shared<JobContext>(
        [self, serial](qint64 done, qint64 total, const QString &what) {
            QMetaObject::invokeMethod(
                qApp,
                [self, serial, done, total, what]() {
                    if (!self || self->m_serial != serial)
                        return;
                    self->m_progress->setRange(0, int(std::max<qint64>(total, 1)));
                    self->m_progress->setValue(int(done));
                    self->m_status->setText(QStringLiteral("Laying out the image embeddings: %1…").arg(what));
                },
                Qt::QueuedConnection);
        },
        nullptr);
    m_running = ctx;
    struct Outcome {
        EmbeddingLayout layout;
        bool fromCache = false;
        QString error;
    };
    auto *watcher = new QFutureWatcher<Outcome>(this);
    connect(watcher, &QFutureWatcher<Outcome>::finished, this, [this, watcher, serial]() {
        watcher->deleteLater();
        if (serial != m_serial)
            return;
        m_computing = false;
        m_running.reset();
        m_progress->hide();
        Outcome out = watcher->result();
        if (!out.error.isEmpty()) {
            m_status->setText(out.error);
            Q_EMIT layoutFailed(out.error);
            return;
        }
        m_stale = false;
        const qint64 n = out.layout.size();
        setLayout(std::move(out.layout));
        m_status->setText(QStringLiteral("%1 images (%2%3). Drag to pan, wheel to zoom, Shift+drag to select.")
                              .arg(QLocale().toString(n), m_method->currentText(), out.fromCache ? QStringLiteral(", cached") : QString()));
        Q_EMIT layoutReady(n, out.fromCache);
    });
    watcher->setFuture(QtConcurrent::run([dir, opts, ctx]() {
        Outcome out;
        // Its own read-only connection: the GUI thread's is not usable here.
        auto store = ProjectStore::open(dir, ProjectStore::Access::ReadOnly);
        if (!store) {
            out.error = store.error().toString();
            return out;
        }
        auto layout = EmbeddingLayout::forProject(**store, opts, *ctx, &out.fromCache);
        if (layout)
            out.layout = std::move(*layout);
        else
            out.error = layout.error().toString();
        return out;
    }));
}

void EmbeddingMapPanel::setLayout(EmbeddingLayout layout)
{
    // A recomputed layout (a stage ran, another method) keeps the images
    // selected; an empty one (project closed or reopened) drops them.
    const std::vector<qint64> keep = selectedIds();
    m_layout = std::move(layout);
    m_map->setPoints(std::make_shared<const std::vector<float>>(m_layout.positions()));
    if (m_layout.size() == 0)
        m_recordedSelection.clear();
    else if (!keep.empty())
        selectIds(keep);
    setLayoutRowsAndRecolor();
}

void EmbeddingMapPanel::setLayoutRowsAndRecolor()
{
    m_liveRows.assign(size_t(m_layout.size()), -1);
    if (const auto live = m_session->live())
        for (size_t i = 0; i < m_liveRows.size(); ++i)
            m_liveRows[i] = qint32(live->rowOfImage(m_layout.ids()[i]));
    recolor();
}

void EmbeddingMapPanel::recolor()
{
    const auto live = m_session->live();
    const auto codes = m_session->imageCodes();
    const qint64 n = m_layout.size();
    if (n == 0 || !live || m_liveRows.size() != size_t(n)) {
        m_map->setColors(nullptr);
        m_legend->clear();
        return;
    }
    const LiveDecisions::ImageColumns &im = live->images();
    const QVariantList what = m_color->currentData().toList();
    const ColorBy by = ColorBy(what.value(0).toInt());
    auto colors = std::make_shared<std::vector<QRgb>>(size_t(n), kNoValue);
    const auto codeOf = [&codes](qint32 row) { return codes && row >= 0 && size_t(row) < codes->size() ? (*codes)[size_t(row)] : quint8(0); };
    QStringList legend;
    switch (by) {
    case ColorBy::Cluster: {
        int clusters = 0;
        for (qint64 i = 0; i < n; ++i) {
            const qint32 row = m_liveRows[size_t(i)];
            if (row >= 0 && im.cluster[size_t(row)] >= 0) {
                (*colors)[size_t(i)] = categoryColor(im.cluster[size_t(row)]);
                clusters = std::max(clusters, im.cluster[size_t(row)] + 1);
            }
        }
        legend << (clusters ? QStringLiteral("%1 clusters, one hue each").arg(clusters) : QStringLiteral("no clusters yet (run the sample stage)"))
               << swatch(kNoValue, QStringLiteral("no cluster"));
        break;
    }
    case ColorBy::Selection:
        for (qint64 i = 0; i < n; ++i) {
            const qint32 row = m_liveRows[size_t(i)];
            if (row < 0 || codeOf(row) != 0)
                continue;
            (*colors)[size_t(i)] = im.sampled[size_t(row)] == 0 ? kKept : kSelected;
        }
        legend << swatch(kSelected, QStringLiteral("kept and selected (or not sampled yet)")) << swatch(kKept, QStringLiteral("kept, not sampled"))
               << swatch(kNoValue, QStringLiteral("rejected"));
        break;
    case ColorBy::Reason: {
        const QStringList names = live->reasonNames(LiveDecisions::Table::Images);
        std::vector<qint64> seen(size_t(names.size()) + 1, 0);
        for (qint64 i = 0; i < n; ++i) {
            const qint32 row = m_liveRows[size_t(i)];
            const quint8 code = row < 0 ? 0 : codeOf(row);
            (*colors)[size_t(i)] = code == 0 ? kNoValue : categoryColor(code - 1);
            if (code < seen.size())
                ++seen[code];
        }
        legend << swatch(kNoValue, QStringLiteral("kept"));
        for (int k = 0; k < names.size(); ++k)
            if (seen[size_t(k) + 1] > 0)
                legend << swatch(categoryColor(k), reasonDisplayName(ReasonTable::Images, names[k]));
        break;
    }
    case ColorBy::Score: {
        const Sort score = Sort(what.value(1).toInt());
        std::vector<double> values(size_t(n), NAN);
        std::vector<double> finite;
        for (qint64 i = 0; i < n; ++i) {
            const qint32 row = m_liveRows[size_t(i)];
            if (row < 0)
                continue;
            const double v = SampleListModel::scoreOf(im, score, size_t(row));
            values[size_t(i)] = v;
            if (std::isfinite(v))
                finite.push_back(v);
        }
        if (finite.empty()) {
            legend << QStringLiteral("no image has this score yet");
            break;
        }
        // The 2nd to 98th percentile spans the ramp: one outlier must not
        // flatten every other colour.
        const size_t lo = finite.size() / 50, hi = finite.size() - 1 - finite.size() / 50;
        std::nth_element(finite.begin(), finite.begin() + lo, finite.end());
        const double minV = finite[lo];
        std::nth_element(finite.begin(), finite.begin() + hi, finite.end());
        const double maxV = finite[hi];
        const double span = maxV > minV ? maxV - minV : 1;
        for (qint64 i = 0; i < n; ++i)
            if (std::isfinite(values[size_t(i)]))
                (*colors)[size_t(i)] = rampColor((values[size_t(i)] - minV) / span);
        const QLocale loc;
        legend << swatch(rampColor(0), loc.toString(minV, 'g', 4)) << swatch(rampColor(0.5), loc.toString((minV + maxV) / 2, 'g', 4))
               << swatch(rampColor(1), loc.toString(maxV, 'g', 4)) << swatch(kNoValue, QStringLiteral("none"));
        break;
    }
    }
    m_map->setColors(std::move(colors));
    m_legend->setText(legend.join(QStringLiteral("&nbsp;&nbsp; ")));
}

std::vector<qint64> EmbeddingMapPanel::selectedIds() const
{
    std::vector<qint64> ids;
    ids.reserve(m_map->selection().size());
    for (qint32 i : m_map->selection())
        if (i < m_layout.size())
            ids.push_back(m_layout.ids()[size_t(i)]);
    std::sort(ids.begin(), ids.end());
    return ids;
}

// One drawn or cleared map selection, as image ids. The panel may go before
// the session's undo stack does: then the step does nothing.
class MapSelectionCommand : public QUndoCommand {
public:
    MapSelectionCommand(EmbeddingMapPanel *panel, std::vector<qint64> before, std::vector<qint64> after, const QString &text)
        : m_panel(panel), m_before(std::move(before)), m_after(std::move(after))
    {
        setText(text);
    }
    void redo() override
    {
        if (std::exchange(m_first, false))
            return; // the lasso already made this selection
        apply(m_after);
    }
    void undo() override { apply(m_before); }

private:
    void apply(const std::vector<qint64> &ids)
    {
        if (!m_panel)
            return;
        m_panel->selectIds(ids);
        m_panel->m_recordedSelection = ids;
    }
    QPointer<EmbeddingMapPanel> m_panel;
    std::vector<qint64> m_before, m_after;
    bool m_first = true;
};

void EmbeddingMapPanel::recordSelectionStep(const QString &what)
{
    std::vector<qint64> after = selectedIds();
    if (after == m_recordedSelection)
        return;
    const QString text = after.empty() ? QStringLiteral("Clear the map selection")
                                       : QStringLiteral("%1 %2 images on the map").arg(what).arg(QLocale().toString(qint64(after.size())));
    std::vector<qint64> before = std::exchange(m_recordedSelection, after);
    m_session->undoStack()->push(new MapSelectionCommand(this, std::move(before), std::move(after), text));
}

void EmbeddingMapPanel::selectIds(const std::vector<qint64> &ids)
{
    // ids() is the layout's row order; look each wanted id up once.
    const QSet<qint64> wanted(ids.begin(), ids.end());
    std::vector<qint32> indices;
    for (qint64 i = 0; i < m_layout.size(); ++i)
        if (wanted.contains(m_layout.ids()[size_t(i)]))
            indices.push_back(qint32(i));
    m_map->setSelection(std::move(indices));
}

void EmbeddingMapPanel::clearSelection()
{
    m_map->clearSelection();
    recordSelectionStep(QString());
}

void EmbeddingMapPanel::updateSelectionBar()
{
    const size_t n = m_map->selection().size();
    m_selectionBar->setVisible(n > 0);
    m_selectionLabel->setText(QStringLiteral("%1 selected").arg(QLocale().toString(qint64(n))));
}

void EmbeddingMapPanel::showSelectionInBrowser()
{
    if (m_browser)
        m_browser->model()->setSearchIds(std::make_shared<const std::vector<qint64>>(selectedIds()));
}

void EmbeddingMapPanel::decideSelection(const QString &decision)
{
    const std::vector<qint64> ids = selectedIds();
    if (!ids.empty())
        m_session->setDecisions(QVector<qint64>(ids.begin(), ids.end()), decision);
}

bool EmbeddingMapPanel::saveIdList(const QString &path)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return false;
    const std::vector<qint64> ids = selectedIds();
    f.write(formatIdList(QVector<qint64>(ids.begin(), ids.end()),
                         QStringLiteral("%1 images selected on the embedding map of %2\nrealsyn export DIR --ids THIS_FILE --format F --out OUT")
                             .arg(ids.size())
                             .arg(m_session->dir())));
    return f.commit();
}

} // namespace rs
