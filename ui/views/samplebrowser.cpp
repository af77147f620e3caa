#include "ui/views/samplebrowser.h"

#include "core/store/projectstore.h"
#include "core/store/reasons.h"
#include "core/store/samplequery.h"
#include "core/store/savedviews.h"
#include "ui/models/projectsession.h"
#include "ui/models/samplelistmodel.h"
#include "ui/models/thumbnailcache.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QInputDialog>
#include <QJsonObject>
#include <QMenu>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPushButton>
#include <QLocale>
#include <QStackedWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace rs {

namespace {

using Sort = SampleListModel::Sort;
// Spec names (savedviews.h) <-> the model's enums.
const std::pair<const char *, Sort> kSorts[] = {{"id", Sort::Id},
                                                {"shorter_side", Sort::ShorterSide},
                                                {"pixels", Sort::Pixels},
                                                {"aspect", Sort::Aspect},
                                                {"similarity", Sort::Similarity},
                                                {"cluster", Sort::Cluster},
                                                {"cluster_score", Sort::ClusterScore}};
const char *const kFilters[] = {"all", "kept", "rejected", "selected"};           // Filter order
const char *const kDecisions[] = {"any", "accepted", "rejected", "undecided"};    // Decision order
const char *const kFeatures[] = {"any", "ocr_text", "faces", "no_ocr_text", "no_faces"}; // Feature order

QString sortName(Sort sort)
{
    for (auto [name, s] : kSorts)
        if (s == sort)
            return QString::fromLatin1(name);
    return QStringLiteral("id");
}

int indexOfName(const char *const *names, int n, const QString &name)
{
    for (int i = 0; i < n; ++i)
        if (name == QLatin1String(names[i]))
            return i;
    return 0;
}

} // namespace

SampleBrowser::SampleBrowser(ProjectSession *session, QWidget *parent) : QWidget(parent), m_session(session)
{
    m_model = new SampleListModel(this);
    m_thumbs = new ThumbnailCache(this);
    m_model->setThumbnails(m_thumbs);

    auto *bar = new QHBoxLayout;
    m_filter = new QComboBox(this);
    m_filter->addItem(QStringLiteral("All images"), int(SampleListModel::Filter::All));
    m_filter->addItem(QStringLiteral("Kept"), int(SampleListModel::Filter::Kept));
    m_filter->addItem(QStringLiteral("Rejected"), int(SampleListModel::Filter::Rejected));
    m_filter->addItem(QStringLiteral("Selected for export"), int(SampleListModel::Filter::Selected));
    m_filter->setToolTip(QStringLiteral("Which images to show, decided live from the current thresholds"));
    m_reason = new QComboBox(this);
    m_reason->addItem(QStringLiteral("any reason"), QString());
    m_reason->setToolTip(QStringLiteral("Only images rejected for this reason"));
    m_sort = new QComboBox(this);
    m_sort->addItem(QStringLiteral("sort: ") + SampleListModel::scoreLabel(Sort::Id), int(Sort::Id));
    for (Sort sort : SampleListModel::scores())
        m_sort->addItem(QStringLiteral("sort: ") + SampleListModel::scoreLabel(sort), int(sort));
    m_sort->setToolTip(QStringLiteral("Sort by a stored score; missing scores go last"));
    m_order = new QToolButton(this);
    m_order->setCheckable(true);
    m_order->setText(QStringLiteral("↑"));
    m_order->setToolTip(QStringLiteral("Ascending / descending"));
    m_search = new QLineEdit(this);
    m_search->setPlaceholderText(QStringLiteral("Search path, alt, title, caption, synthetic text…"));
    m_search->setClearButtonEnabled(true);
    m_clusterChip = new QToolButton(this);
    m_clusterChip->setVisible(false);
    m_clusterChip->setToolTip(QStringLiteral("Showing one cluster only; click to show all"));
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    // The bar must not set the window's minimum width: at 1280 px the
    // browser gets ~450 px between the docks. Combos shrink to a few
    // characters (their popups still show whole names) and the bar wraps
    // onto two rows.
    for (QComboBox *box : {m_filter, m_reason, m_sort}) {
        box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        box->setMinimumContentsLength(8);
        box->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    }
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_reason, 1);
    bar->addWidget(m_sort, 1);
    bar->addWidget(m_order);
    auto *bar2 = new QHBoxLayout;
    bar2->addWidget(m_search, 2);
    bar2->addWidget(m_clusterChip);
    bar2->addWidget(m_summary, 1);

    m_view = new QListView(this);
    m_view->setModel(m_model);
    m_view->setViewMode(QListView::IconMode);
    m_view->setResizeMode(QListView::Adjust);
    m_view->setMovement(QListView::Static);
    m_view->setUniformItemSizes(true); // O(1) layout: 100k items scroll smoothly
    m_view->setLayoutMode(QListView::Batched);
    m_view->setBatchSize(500);
    m_view->setIconSize(QSize(ThumbnailCache::kSide, ThumbnailCache::kSide * 3 / 4));
    m_view->setGridSize(QSize(ThumbnailCache::kSide + 16, ThumbnailCache::kSide * 3 / 4 + 40));
    m_view->setSpacing(2);
    m_view->setWordWrap(false); // one line "#id · reason", elided at the right
    // Shift/Ctrl-click and a rubber band from an empty spot select several.
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setSelectionRectVisible(true);
    m_view->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_empty = new QLabel(this);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setStyleSheet(QStringLiteral("color: #777; font-size: 14px;"));
    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_view);
    m_stack->addWidget(m_empty);

    // Saved views: a named state of all of the above, stored in the project.
    m_views = new QComboBox(this);
    m_views->setToolTip(QStringLiteral("Saved views of this project: a named filter, sort and search"));
    m_views->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_views->setMinimumContentsLength(6);
    m_saveView = new QToolButton(this);
    m_saveView->setText(QStringLiteral("Save view…"));
    m_saveView->setPopupMode(QToolButton::MenuButtonPopup);
    m_saveView->setToolTip(QStringLiteral("Store the current filter, sort and search in the project under a name"));
    auto *viewMenu = new QMenu(m_saveView);
    QAction *deleteView = viewMenu->addAction(QStringLiteral("Delete the shown view"));
    m_saveView->setMenu(viewMenu);
    m_fieldsToggle = new QToolButton(this);
    m_fieldsToggle->setText(QStringLiteral("Filters"));
    m_fieldsToggle->setCheckable(true);
    m_fieldsToggle->setToolTip(QStringLiteral("Filter on any field: curator decision, expert findings, a score range"));
    bar2->insertWidget(1, m_views, 1);
    bar2->insertWidget(2, m_saveView);
    bar2->insertWidget(3, m_fieldsToggle);

    // Field filters, with how many images each option has.
    m_fieldBar = new QWidget(this);
    auto *fields = new QHBoxLayout(m_fieldBar);
    fields->setContentsMargins(0, 0, 0, 0);
    m_decision = new QComboBox(m_fieldBar);
    m_decision->setToolTip(QStringLiteral("Only images with this curator decision"));
    m_feature = new QComboBox(m_fieldBar);
    m_feature->setToolTip(QStringLiteral("Only images where the experts found (or did not find) this"));
    m_score = new QComboBox(m_fieldBar);
    m_score->setToolTip(QStringLiteral("Only images whose score lies in the range (images without the score are left out)"));
    m_score->addItem(QStringLiteral("any score"), int(Sort::Id));
    m_min = new QDoubleSpinBox(m_fieldBar);
    m_max = new QDoubleSpinBox(m_fieldBar);
    for (QDoubleSpinBox *box : {m_min, m_max}) {
        // The lowest value stands for an open bound.
        box->setRange(-1e12, 1e12);
        box->setDecimals(3);
        box->setSpecialValueText(box == m_min ? QStringLiteral("min") : QStringLiteral("max"));
        box->setValue(box->minimum());
        box->setKeyboardTracking(false);
        box->setMinimumWidth(70);
        box->setEnabled(false);
    }
    for (QComboBox *box : {m_decision, m_feature, m_score}) {
        box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        box->setMinimumContentsLength(6);
        box->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    }
    fields->addWidget(m_decision, 1);
    fields->addWidget(m_feature, 1);
    fields->addWidget(m_score, 1);
    fields->addWidget(m_min);
    fields->addWidget(m_max);
    m_fieldBar->setVisible(false);
    refreshFacets();

    m_batchBar = new QWidget(this);
    auto *batch = new QHBoxLayout(m_batchBar);
    batch->setContentsMargins(0, 0, 0, 0);
    m_batchLabel = new QLabel(m_batchBar);
    m_batchAccept = new QPushButton(QStringLiteral("Accept all"), m_batchBar);
    m_batchAccept->setToolTip(QStringLiteral("Accept every selected image (A); one step in Edit ▸ Undo"));
    m_batchReject = new QPushButton(QStringLiteral("Reject all"), m_batchBar);
    m_batchReject->setToolTip(QStringLiteral("Reject every selected image (R); one step in Edit ▸ Undo"));
    m_batchClear = new QPushButton(QStringLiteral("Clear all"), m_batchBar);
    m_batchClear->setToolTip(QStringLiteral("Forget the curator decisions of every selected image"));
    batch->addWidget(m_batchLabel, 1);
    batch->addWidget(m_batchAccept);
    batch->addWidget(m_batchReject);
    batch->addWidget(m_batchClear);
    // Always shown (buttons enabled with a multi-selection): a bar that
    // appeared mid-drag would shift the grid under the rubber band.

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(bar);
    layout->addLayout(bar2);
    layout->addWidget(m_fieldBar);
    layout->addWidget(m_batchBar);
    layout->addWidget(m_stack, 1);

    for (auto [button, decision] : {std::pair{m_batchAccept, "accept"}, {m_batchReject, "reject"}, {m_batchClear, "clear"}}) {
        const QString d = QString::fromLatin1(decision);
        connect(button, &QPushButton::clicked, this, [this, d]() { m_session->setDecisions(selectedIds(), d); });
    }
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &SampleBrowser::updateBatchBar);
    connect(m_fieldsToggle, &QToolButton::toggled, m_fieldBar, &QWidget::setVisible);
    connect(m_decision, &QComboBox::currentIndexChanged, this, [this]() {
        m_model->setDecisionFilter(SampleListModel::Decision(std::max(0, m_decision->currentIndex())));
    });
    connect(m_feature, &QComboBox::currentIndexChanged, this, [this]() {
        m_model->setFeatureFilter(SampleListModel::Feature(std::max(0, m_feature->currentIndex())));
    });
    connect(m_score, &QComboBox::currentIndexChanged, this, &SampleBrowser::applyRange);
    connect(m_min, &QDoubleSpinBox::valueChanged, this, &SampleBrowser::applyRange);
    connect(m_max, &QDoubleSpinBox::valueChanged, this, &SampleBrowser::applyRange);
    connect(m_views, &QComboBox::activated, this, [this](int index) {
        if (index > 0)
            applyView(m_views->itemText(index));
    });
    connect(m_saveView, &QToolButton::clicked, this, [this]() {
        bool ok = false;
        const QString name = QInputDialog::getText(this, QStringLiteral("Save view"), QStringLiteral("Name of this view (filter, sort and search):"),
                                                   QLineEdit::Normal, m_views->currentIndex() > 0 ? m_views->currentText() : QString(), &ok);
        if (ok)
            saveCurrentView(name);
    });
    connect(deleteView, &QAction::triggered, this, [this]() {
        if (m_views->currentIndex() <= 0 || !m_session->store())
            return;
        if (Status s = rs::deleteView(*m_session->store(), m_views->currentText()); !s)
            m_summary->setText(s.error().toString());
        refreshViews();
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, &SampleBrowser::updateBatchBar);

    connect(m_filter, &QComboBox::currentIndexChanged, this, [this]() {
        m_model->setFilter(SampleListModel::Filter(m_filter->currentData().toInt()));
    });
    connect(m_reason, &QComboBox::currentIndexChanged, this, [this]() { m_model->setReason(m_reason->currentData().toString()); });
    const auto applySort = [this]() {
        m_order->setText(m_order->isChecked() ? QStringLiteral("↓") : QStringLiteral("↑"));
        m_model->setSort(SampleListModel::Sort(m_sort->currentData().toInt()), m_order->isChecked() ? Qt::DescendingOrder : Qt::AscendingOrder);
    };
    connect(m_sort, &QComboBox::currentIndexChanged, this, applySort);
    connect(m_order, &QToolButton::toggled, this, applySort);
    auto *searchDelay = new QTimer(this);
    searchDelay->setSingleShot(true);
    searchDelay->setInterval(250);
    connect(m_search, &QLineEdit::textChanged, searchDelay, qOverload<>(&QTimer::start));
    connect(searchDelay, &QTimer::timeout, this, [this]() { m_model->setSearch(m_search->text()); });
    connect(m_clusterChip, &QToolButton::clicked, this, [this]() { showCluster(-1); });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, [this](const QModelIndex &current) {
        const qint64 id = current.isValid() ? current.data(SampleListModel::IdRole).toLongLong() : -1;
        if (id >= 0)
            m_wanted = id;
        Q_EMIT currentSampleChanged(id);
    });
    connect(m_model, &SampleListModel::rowsRebuilt, this, [this](int rows) {
        updateSummary(rows);
        if (m_wanted >= 0) {
            const int row = m_model->rowOf(m_wanted);
            if (row >= 0) {
                const QSignalBlocker block(m_view->selectionModel());
                m_view->setCurrentIndex(m_model->index(row));
                m_view->scrollTo(m_model->index(row));
            }
        }
    });

    connect(m_session, &ProjectSession::opened, this, [this]() {
        m_thumbs->setCacheDir(m_session->store()->sidePath(QStringLiteral("thumbnails")));
        m_model->setStore(m_session->store());
        m_wanted = -1;
        refreshData();
    });
    connect(m_session, &ProjectSession::closed, this, [this]() {
        m_model->setStore(nullptr);
        m_model->setUnprobed(nullptr);
        m_model->setData(nullptr, nullptr);
        m_thumbs->setCacheDir(QString());
    });
    connect(m_session, &ProjectSession::liveChanged, this, &SampleBrowser::refreshData);
    connect(m_session, &ProjectSession::preview, this, [this](const QString &, const LiveDecisions::Outcome &outcome) {
        if (outcome.table == LiveDecisions::Table::Images) {
            m_model->setUnprobed(m_session->unprobedIds());
            m_model->setData(m_session->live(), m_session->imageCodes());
            refreshReasons();
        }
    });
    connect(m_session, &ProjectSession::samplesChanged, this, [this]() {
        m_model->refreshRows();
        refreshFacets();
        // The rows a decision filter shows changed with the decisions.
        if (m_model->decisionFilter() != SampleListModel::Decision::Any)
            m_model->refilter();
    });
    updateSummary(0);
}

void SampleBrowser::refreshData()
{
    refreshReasons();
    refreshFacets();
    refreshViews();
    m_model->setReason(m_reason->currentData().toString());
    m_model->setUnprobed(m_session->unprobedIds());
    m_model->setData(m_session->live(), m_session->imageCodes());
}

void SampleBrowser::refreshReasons()
{
    // Every reason the core knows, in the registry's order (reasonNames is
    // the registry plus unknown stored codes), with its live count; reasons
    // nothing is rejected for are left out, except the one being shown.
    auto live = m_session->live();
    auto codes = m_session->imageCodes();
    const QString current = m_reason->currentData().toString();
    const QSignalBlocker block(m_reason);
    m_reason->clear();
    m_reason->addItem(QStringLiteral("any reason"), QString());
    const qint64 total = live ? qint64(live->images().id.size()) : 0;
    if (live && codes && codes->size() == size_t(total) && m_session->unprobedImages() < total) {
        const LiveDecisions::Counts counts = live->count(LiveDecisions::Table::Images, *codes);
        const QStringList names = live->reasonNames(LiveDecisions::Table::Images);
        const QLocale loc;
        for (int k = 0; k < names.size(); ++k) {
            const qint64 n = size_t(k) < counts.byReason.size() ? counts.byReason[size_t(k)] : 0;
            if (n == 0 && names[k] != current)
                continue;
            m_reason->addItem(QStringLiteral("%1 (%2)").arg(reasonDisplayName(ReasonTable::Images, names[k]), loc.toString(n)), names[k]);
        }
    }
    m_reason->setCurrentIndex(std::max(0, m_reason->findData(current)));
}

void SampleBrowser::updateSummary(int rows)
{
    const QLocale loc;
    auto live = m_session->live();
    const qint64 total = live ? qint64(live->images().id.size()) : 0;
    m_summary->setText(QStringLiteral("%1 of %2").arg(loc.toString(rows), loc.toString(total)));
    if (!m_session->isOpen())
        m_empty->setText(QStringLiteral("No project open.\nUse File ▸ New Project… to ingest a corpus, or File ▸ Open Project…"));
    else if (!live)
        m_empty->setText(QStringLiteral("Reading the project…"));
    else if (total == 0)
        m_empty->setText(QStringLiteral("This project has no images yet.\nIngest a corpus (File ▸ New Project…) or run the extract stage."));
    else
        m_empty->setText(QStringLiteral("No image matches the filter, cluster or search."));
    m_stack->setCurrentIndex(rows > 0 ? 0 : 1);
}

void SampleBrowser::refreshFacets()
{
    // Counts over the whole project, beside each option.
    auto live = m_session->live();
    const qint64 total = live ? qint64(live->images().id.size()) : 0;
    std::vector<qint64> n(4, 0);
    if (m_session->store())
        if (auto counts = facetCounts(*m_session->store()))
            n = counts.value();
    const QLocale loc;
    const auto with = [&](const QString &label, qint64 count) { return QStringLiteral("%1 (%2)").arg(label, loc.toString(count)); };
    {
        const QSignalBlocker block(m_decision);
        const int current = std::max(0, m_decision->currentIndex());
        m_decision->clear();
        m_decision->addItem(QStringLiteral("any decision"));
        m_decision->addItem(with(QStringLiteral("accepted"), n[0]));
        m_decision->addItem(with(QStringLiteral("rejected"), n[1]));
        m_decision->addItem(with(QStringLiteral("undecided"), std::max<qint64>(0, total - n[0] - n[1])));
        m_decision->setCurrentIndex(current);
    }
    {
        const QSignalBlocker block(m_feature);
        const int current = std::max(0, m_feature->currentIndex());
        m_feature->clear();
        m_feature->addItem(QStringLiteral("any findings"));
        m_feature->addItem(with(QStringLiteral("has OCR text"), n[2]));
        m_feature->addItem(with(QStringLiteral("has faces"), n[3]));
        m_feature->addItem(with(QStringLiteral("no OCR text"), std::max<qint64>(0, total - n[2])));
        m_feature->addItem(with(QStringLiteral("no faces"), std::max<qint64>(0, total - n[3])));
        m_feature->setCurrentIndex(current);
    }
    {
        // How many images have each score at all.
        const QSignalBlocker block(m_score);
        const int current = std::max(0, m_score->currentIndex());
        m_score->clear();
        m_score->addItem(QStringLiteral("any score"), int(Sort::Id));
        for (Sort score : SampleListModel::scores()) {
            const QString label = SampleListModel::scoreLabel(score);
            qint64 have = 0;
            for (size_t i = 0; live && i < size_t(total); ++i)
                have += !std::isnan(SampleListModel::scoreOf(live->images(), score, i));
            m_score->addItem(with(label, have), int(score));
        }
        m_score->setCurrentIndex(current);
    }
}

void SampleBrowser::applyRange()
{
    const Sort score = Sort(m_score->currentData().toInt());
    m_min->setEnabled(score != Sort::Id);
    m_max->setEnabled(score != Sort::Id);
    const double lo = m_min->value() == m_min->minimum() ? NAN : m_min->value();
    const double hi = m_max->value() == m_max->minimum() ? NAN : m_max->value();
    m_model->setScoreRange(score, lo, hi);
}

void SampleBrowser::refreshViews()
{
    const QString current = m_views->currentIndex() > 0 ? m_views->currentText() : QString();
    const QSignalBlocker block(m_views);
    m_views->clear();
    m_views->addItem(QStringLiteral("saved views…"));
    if (!m_session->store())
        return;
    QStringList damaged;
    auto views = savedViews(*m_session->store(), &damaged);
    if (!views) {
        m_summary->setText(views.error().toString());
        return;
    }
    for (const SavedView &v : views.value())
        m_views->addItem(v.name);
    // A damaged entry is named, never applied half-way.
    m_views->setToolTip(damaged.isEmpty() ? QStringLiteral("Saved views of this project: a named filter, sort and search")
                                          : QStringLiteral("Not listed (damaged):\n") + damaged.join(QLatin1Char('\n')));
    m_views->setCurrentIndex(std::max(0, m_views->findText(current)));
}

QJsonObject SampleBrowser::currentSpec() const
{
    QJsonObject spec;
    spec.insert(QStringLiteral("filter"), QLatin1String(kFilters[std::clamp(m_filter->currentIndex(), 0, 3)]));
    spec.insert(QStringLiteral("reason"), m_reason->currentData().toString());
    spec.insert(QStringLiteral("sort"), sortName(Sort(m_sort->currentData().toInt())));
    spec.insert(QStringLiteral("order"), m_order->isChecked() ? QStringLiteral("desc") : QStringLiteral("asc"));
    spec.insert(QStringLiteral("search"), m_search->text());
    spec.insert(QStringLiteral("cluster"), m_model->cluster());
    spec.insert(QStringLiteral("decision"), QLatin1String(kDecisions[std::clamp(m_decision->currentIndex(), 0, 3)]));
    spec.insert(QStringLiteral("feature"), QLatin1String(kFeatures[std::clamp(m_feature->currentIndex(), 0, 4)]));
    const Sort score = Sort(m_score->currentData().toInt());
    if (score != Sort::Id) {
        spec.insert(QStringLiteral("score"), sortName(score));
        if (m_min->value() != m_min->minimum())
            spec.insert(QStringLiteral("min"), m_min->value());
        if (m_max->value() != m_max->minimum())
            spec.insert(QStringLiteral("max"), m_max->value());
    }
    return spec;
}

void SampleBrowser::applySpec(const QJsonObject &spec)
{
    m_filter->setCurrentIndex(indexOfName(kFilters, 4, spec.value(QStringLiteral("filter")).toString()));
    // A reason nothing is rejected for now is not listed: the filter shows all.
    m_reason->setCurrentIndex(std::max(0, m_reason->findData(spec.value(QStringLiteral("reason")).toString())));
    for (auto [name, sort] : kSorts)
        if (spec.value(QStringLiteral("sort")).toString() == QLatin1String(name))
            m_sort->setCurrentIndex(std::max(0, m_sort->findData(int(sort))));
    if (!spec.contains(QStringLiteral("sort")))
        m_sort->setCurrentIndex(0);
    m_order->setChecked(spec.value(QStringLiteral("order")).toString() == QLatin1String("desc"));
    m_search->setText(spec.value(QStringLiteral("search")).toString());
    m_model->setSearch(m_search->text()); // now, not after the typing pause
    showCluster(spec.value(QStringLiteral("cluster")).toInt(-1));
    m_decision->setCurrentIndex(indexOfName(kDecisions, 4, spec.value(QStringLiteral("decision")).toString()));
    m_feature->setCurrentIndex(indexOfName(kFeatures, 5, spec.value(QStringLiteral("feature")).toString()));
    const QSignalBlocker blockMin(m_min), blockMax(m_max);
    m_min->setValue(spec.contains(QStringLiteral("min")) ? spec.value(QStringLiteral("min")).toDouble() : m_min->minimum());
    m_max->setValue(spec.contains(QStringLiteral("max")) ? spec.value(QStringLiteral("max")).toDouble() : m_max->minimum());
    int score = 0;
    for (auto [name, sort] : kSorts)
        if (spec.value(QStringLiteral("score")).toString() == QLatin1String(name))
            score = std::max(0, m_score->findData(int(sort)));
    {
        const QSignalBlocker blockScore(m_score);
        m_score->setCurrentIndex(score);
    }
    applyRange();
    const bool fieldFilters = m_decision->currentIndex() > 0 || m_feature->currentIndex() > 0 || score > 0;
    if (fieldFilters)
        m_fieldsToggle->setChecked(true);
}

bool SampleBrowser::saveCurrentView(const QString &name)
{
    if (!m_session->store())
        return false;
    if (Status s = saveView(*m_session->store(), name, currentSpec()); !s) {
        m_summary->setText(s.error().toString());
        return false;
    }
    refreshViews();
    m_views->setCurrentIndex(std::max(0, m_views->findText(name.trimmed())));
    return true;
}

bool SampleBrowser::applyView(const QString &name)
{
    if (!m_session->store())
        return false;
    auto views = savedViews(*m_session->store());
    if (!views)
        return false;
    for (const SavedView &v : views.value())
        if (v.name == name) {
            applySpec(v.spec);
            const QSignalBlocker block(m_views);
            m_views->setCurrentIndex(std::max(0, m_views->findText(name)));
            return true;
        }
    return false;
}

QVector<qint64> SampleBrowser::selectedIds() const
{
    QModelIndexList rows = m_view->selectionModel()->selectedIndexes();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    QVector<qint64> ids;
    ids.reserve(rows.size());
    for (const QModelIndex &i : rows)
        ids.push_back(m_model->idAt(i.row()));
    return ids;
}

QPushButton *SampleBrowser::batchButton(const QString &decision) const
{
    return decision == QLatin1String("accept") ? m_batchAccept : decision == QLatin1String("reject") ? m_batchReject : m_batchClear;
}

void SampleBrowser::updateBatchBar()
{
    const qsizetype n = m_view->selectionModel()->selectedIndexes().size();
    for (QPushButton *b : {m_batchAccept, m_batchReject, m_batchClear})
        b->setEnabled(n > 1);
    m_batchLabel->setText(n > 1 ? QStringLiteral("<b>%1</b> selected").arg(QLocale().toString(qint64(n)))
                                : QStringLiteral("<small>Shift/Ctrl-click or drag to select several</small>"));
}

qint64 SampleBrowser::currentId() const
{
    const QModelIndex i = m_view->currentIndex();
    return i.isValid() ? i.data(SampleListModel::IdRole).toLongLong() : -1;
}

void SampleBrowser::selectSample(qint64 id)
{
    m_wanted = id;
    int row = m_model->rowOf(id);
    if (row < 0 && !m_model->isRebuilding()) {
        // Hidden by a filter: show everything, the selection follows the rebuild.
        m_clusterChip->setVisible(false);
        m_model->setCluster(-1);
        m_filter->setCurrentIndex(0);
        m_reason->setCurrentIndex(0);
        m_decision->setCurrentIndex(0);
        m_feature->setCurrentIndex(0);
        m_score->setCurrentIndex(0);
        m_search->clear();
        m_model->setSearch(QString());
        return;
    }
    if (row >= 0) {
        m_view->setCurrentIndex(m_model->index(row));
        m_view->scrollTo(m_model->index(row));
    }
}

void SampleBrowser::selectNext()
{
    const int row = m_view->currentIndex().row();
    if (row + 1 < m_model->rowCount())
        m_view->setCurrentIndex(m_model->index(row + 1));
}

void SampleBrowser::showCluster(int cluster)
{
    m_clusterChip->setVisible(cluster >= 0);
    m_clusterChip->setText(QStringLiteral("cluster %1 ✕").arg(cluster));
    m_model->setCluster(cluster);
}

} // namespace rs
