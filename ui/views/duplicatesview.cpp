#include "ui/views/duplicatesview.h"

#include "core/embed/embedstage.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"
#include "ui/models/projectsession.h"
#include "ui/models/settinglabel.h"
#include "ui/models/thumbnailcache.h"

#include <QFrame>
#include <QFutureWatcher>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QPushButton>
#include <QScrollArea>
#include <QSlider>
#include <QStringList>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <cmath>

namespace rs {

namespace {

// The embedding slider covers the similarities worth reviewing: from the
// floor that DuplicateReview searches once (lower values are still settable
// in the threshold panel and the CLI) to 1, in steps of 0.005.
constexpr double kSimilarityStep = 0.005;
constexpr int kThumbSide = 96;
constexpr int kMaxListedGroups = 5000; // the counts cover all; the list shows the largest

const QString &phashKey()
{
    static const QString key = settingKeyOf(&ImageFilterSettings::phashDistance);
    return key;
}

const QString &embeddingKey()
{
    static const QString key = settingKeyOf(&EmbedSettings::dedupThreshold);
    return key;
}

QString kindLabel(DuplicateReview::Kind kind)
{
    return kind == DuplicateReview::Kind::Phash ? QStringLiteral("pHash") : QStringLiteral("Embedding");
}

QString distanceText(const DuplicateReview::Group &g, const DuplicateReview::Member &m, bool keeper)
{
    if (g.kind == DuplicateReview::Kind::Phash)
        return keeper ? QStringLiteral("keeper") : QStringLiteral("%1 bit%2").arg(int(m.distance)).arg(m.distance == 1 ? QString() : QStringLiteral("s"));
    return QStringLiteral("%1cos %2").arg(keeper ? QStringLiteral("keeper · ") : QString()).arg(m.distance, 0, 'f', 3);
}

QString countsLine(const DuplicateReview::Outcome &out, DuplicateReview::Kind kind)
{
    const QLocale locale;
    return QStringLiteral("%1 groups · %2 duplicates").arg(locale.toString(out.groupCount[int(kind)]),
                                                          locale.toString(out.duplicateCount[int(kind)]));
}

} // namespace

double DuplicatesView::similarityAt(int position)
{
    return double(DuplicateReview::kSimilarityFloor) + position * kSimilarityStep;
}

int DuplicatesView::positionOf(double similarity)
{
    return int(std::lround((similarity - double(DuplicateReview::kSimilarityFloor)) / kSimilarityStep));
}

DuplicatesView::DuplicatesView(ProjectSession *session, QWidget *parent)
    : QWidget(parent), m_session(session), m_thumbs(new ThumbnailCache(this))
{
    const SettingDef *phashDef = Recipe::find(phashKey());
    m_phashSlider = new QSlider(Qt::Horizontal, this);
    m_phashSlider->setObjectName(QStringLiteral("phashSlider"));
    m_phashSlider->setRange(int(phashDef ? phashDef->min : 0), int(phashDef ? phashDef->max : 32));
    m_phashSlider->setToolTip(phashDef ? phashDef->meaning : QString());
    m_embeddingSlider = new QSlider(Qt::Horizontal, this);
    m_embeddingSlider->setObjectName(QStringLiteral("embeddingSlider"));
    m_embeddingSlider->setRange(0, positionOf(1.0));
    if (const SettingDef *d = Recipe::find(embeddingKey()))
        m_embeddingSlider->setToolTip(d->meaning);
    for (QSlider *s : {m_phashSlider, m_embeddingSlider}) {
        s->setPageStep(1);
        s->setMinimumWidth(90);
    }
    m_phashValue = new QLabel(this);
    m_embeddingValue = new QLabel(this);
    for (QLabel *l : {m_phashValue, m_embeddingValue}) {
        l->setMinimumWidth(l->fontMetrics().horizontalAdvance(QStringLiteral("0.000")));
        l->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    }
    m_phashCounts = new QLabel(this);
    m_embeddingCounts = new QLabel(this);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_status->setForegroundRole(QPalette::PlaceholderText);
    m_groups = new QListWidget(this);
    m_groups->setUniformItemSizes(true);
    m_groupTitle = new QLabel(this);
    m_strip = new QScrollArea(this);
    m_strip->setWidgetResizable(true);
    m_strip->setFrameShape(QFrame::NoFrame);

    auto *sliders = new QGridLayout;
    sliders->setContentsMargins(0, 0, 0, 0);
    sliders->setVerticalSpacing(2);
    sliders->addWidget(new QLabel(QStringLiteral("pHash bits"), this), 0, 0);
    sliders->addWidget(m_phashSlider, 0, 1);
    sliders->addWidget(m_phashValue, 0, 2);
    sliders->addWidget(m_phashCounts, 1, 1, 1, 2);
    sliders->addWidget(new QLabel(QStringLiteral("Embedding"), this), 2, 0);
    sliders->addWidget(m_embeddingSlider, 2, 1);
    sliders->addWidget(m_embeddingValue, 2, 2);
    sliders->addWidget(m_embeddingCounts, 3, 1, 1, 2);
    sliders->setColumnStretch(1, 1);
    auto *left = new QVBoxLayout;
    left->addLayout(sliders);
    left->addWidget(m_status);
    left->addWidget(m_groups, 1);
    auto *right = new QVBoxLayout;
    right->addWidget(m_groupTitle);
    right->addWidget(m_strip, 1);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(left, 2);
    layout->addLayout(right, 5);

    connect(m_phashSlider, &QSlider::valueChanged, this, [this](int v) {
        m_phashValue->setText(QString::number(v));
        (void)m_session->changeSetting(phashKey(), QString::number(v)); // in range by construction
    });
    connect(m_embeddingSlider, &QSlider::valueChanged, this, [this](int v) {
        const QString text = QString::number(similarityAt(v), 'f', 3);
        m_embeddingValue->setText(text);
        (void)m_session->changeSetting(embeddingKey(), text);
    });
    connect(m_groups, &QListWidget::currentRowChanged, this, &DuplicatesView::showGroup);
    connect(m_thumbs, &ThumbnailCache::ready, this, &DuplicatesView::refreshThumbnail);

    // Every preview (a slider here, the threshold panel, undo) may change the groups.
    connect(m_session, &ProjectSession::preview, this, [this]() {
        syncSliders();
        redecide();
    });
    connect(m_session, &ProjectSession::opened, this, [this]() {
        m_thumbs->setCacheDir(m_session->store()->sidePath(QStringLiteral("thumbnails")));
        m_paths.clear();
        reload();
    });
    connect(m_session, &ProjectSession::closed, this, [this]() {
        m_review.reset();
        m_thumbs->clear();
        m_paths.clear();
        showOutcome({});
        m_status->setText(QStringLiteral("No project is open."));
    });
    // A stage ran or a keeper was stored: the verdicts, pairs or vectors changed.
    connect(m_session, &ProjectSession::stagesChanged, this, &DuplicatesView::reload);
    syncSliders();
    m_status->setText(QStringLiteral("No project is open."));
}

DuplicatesView::~DuplicatesView() = default;

QString DuplicatesView::countsText() const
{
    return m_phashCounts->text() + QLatin1Char('\n') + m_embeddingCounts->text();
}

void DuplicatesView::syncSliders()
{
    const Recipe &r = m_session->previewRecipe();
    const QSignalBlocker a(m_phashSlider), b(m_embeddingSlider);
    const int bits = ImageFilterSettings::fromRecipe(r).phashDistance;
    const double similarity = EmbedSettings::fromRecipe(r).dedupThreshold;
    m_phashSlider->setValue(bits);
    m_phashValue->setText(QString::number(bits));
    m_embeddingSlider->setValue(positionOf(similarity));
    m_embeddingValue->setText(QString::number(similarity, 'f', 3));
}

void DuplicatesView::reload()
{
    if (!m_session->isOpen())
        return;
    const quint64 serial = ++m_loadSerial;
    m_status->setText(QStringLiteral("Reading the duplicate groups…"));
    auto *watcher = new QFutureWatcher<Result<DuplicateReview>>(this);
    connect(watcher, &QFutureWatcher<Result<DuplicateReview>>::finished, this, [this, watcher, serial]() {
        watcher->deleteLater();
        if (serial != m_loadSerial)
            return;
        Result<DuplicateReview> r = watcher->result();
        if (!r) {
            m_status->setText(QStringLiteral("Cannot read the groups: ") + r.error().toString());
            return;
        }
        m_review = std::make_shared<const DuplicateReview>(std::move(r.value()));
        m_embedRan = m_session->stageStates().value(QStringLiteral("embed"), StageState::NotRun) != StageState::NotRun;
        redecide();
    });
    const QString dir = m_session->dir();
    const Recipe recipe = m_session->recipe();
    watcher->setFuture(QtConcurrent::run([dir, recipe]() -> Result<DuplicateReview> {
        auto store = ProjectStore::open(dir, ProjectStore::Access::ReadOnly);
        if (!store)
            return store.error();
        return DuplicateReview::load(**store, recipe, DuplicateReview::Vectors::Load);
    }));
}

void DuplicatesView::redecide()
{
    if (!m_review)
        return;
    const quint64 serial = ++m_decideSerial;
    auto *watcher = new QFutureWatcher<DuplicateReview::Outcome>(this);
    connect(watcher, &QFutureWatcher<DuplicateReview::Outcome>::finished, this, [this, watcher, serial]() {
        watcher->deleteLater();
        if (serial == m_decideSerial)
            showOutcome(watcher->result());
    });
    const std::shared_ptr<const DuplicateReview> review = m_review;
    const Recipe recipe = m_session->previewRecipe();
    watcher->setFuture(QtConcurrent::run([review, recipe]() { return review->decide(recipe); }));
}

void DuplicatesView::showOutcome(const DuplicateReview::Outcome &outcome)
{
    // Keep the curator's place: the group of the image last looked at.
    const int row = m_groups->currentRow();
    if (m_focusId < 0 && row >= 0 && size_t(row) < m_outcome.groups.size())
        m_focusId = m_outcome.groups[size_t(row)].keeper();
    m_outcome = outcome;
    m_phashCounts->setText(countsLine(m_outcome, DuplicateReview::Kind::Phash));
    m_embeddingCounts->setText(countsLine(m_outcome, DuplicateReview::Kind::Embedding));
    if (m_session->isOpen()) {
        m_status->setText(!m_embedRan ? QStringLiteral("Embedding groups appear once embed has run.")
                                      : QStringLiteral("Grouped in %1 ms").arg(m_outcome.elapsedMs, 0, 'f', 1));
        m_status->setToolTip(QStringLiteral("Slider values apply after a pause, as in the threshold panel: extract re-decides "
                                            "at once; a new embedding threshold is stored when embed runs again."));
    }

    const QSignalBlocker block(m_groups);
    m_groups->clear();
    int focusRow = -1;
    const size_t listed = std::min(m_outcome.groups.size(), size_t(kMaxListedGroups));
    for (size_t i = 0; i < listed; ++i) {
        const DuplicateReview::Group &g = m_outcome.groups[i];
        auto *item = new QListWidgetItem(QStringLiteral("%1 · %2 images · keeper #%3%4")
                                             .arg(kindLabel(g.kind))
                                             .arg(g.members.size())
                                             .arg(g.keeper())
                                             .arg(g.curatorKeeper ? QStringLiteral(" (yours)") : QString()),
                                         m_groups);
        item->setToolTip(g.curatorKeeper ? QStringLiteral("You chose this group's keeper; it wins on every re-run")
                                         : QStringLiteral("The largest image keeps until you choose another"));
        if (focusRow < 0 && m_focusId >= 0)
            for (const DuplicateReview::Member &m : g.members)
                if (m.id == m_focusId)
                    focusRow = int(i);
    }
    m_focusId = -1;
    m_groups->setCurrentRow(focusRow >= 0 ? focusRow : (listed > 0 ? 0 : -1));
    showGroup(m_groups->currentRow());
    Q_EMIT updated();
}

bool DuplicatesView::showGroupOf(qint64 imageId)
{
    for (size_t i = 0; i < m_outcome.groups.size() && i < size_t(kMaxListedGroups); ++i)
        for (const DuplicateReview::Member &m : m_outcome.groups[i].members)
            if (m.id == imageId) {
                m_groups->setCurrentRow(int(i));
                return true;
            }
    return false;
}

void DuplicatesView::showGroup(int row)
{
    // Not deleted at once: a card's button may be what is being handled.
    if (QWidget *old = m_strip->takeWidget())
        old->deleteLater();
    m_cards = new QWidget;
    auto *strip = new QHBoxLayout(m_cards);
    strip->setContentsMargins(0, 0, 0, 0);
    m_strip->setWidget(m_cards);
    if (row < 0 || size_t(row) >= m_outcome.groups.size()) {
        m_groupTitle->setText(m_outcome.groups.empty() ? QStringLiteral("No near duplicates at these settings.") : QString());
        strip->addStretch(1);
        return;
    }
    const DuplicateReview::Group &g = m_outcome.groups[size_t(row)];
    m_groupTitle->setText(QStringLiteral("<b>%1 group</b> · %2 images · %3")
                              .arg(kindLabel(g.kind))
                              .arg(g.members.size())
                              .arg(g.curatorKeeper ? QStringLiteral("your keeper (wins on re-runs)") : QStringLiteral("the largest keeps")));
    m_groupTitle->setToolTip(QStringLiteral("Keep another image to make it the keeper: the others become its duplicates, "
                                            "now and on every re-run of extract and embed."));
    // The members' files, read once per image on the GUI thread (a few rows).
    QStringList missing;
    for (const DuplicateReview::Member &m : g.members)
        if (!m_paths.contains(m.id))
            missing << QString::number(m.id); // integers: safe to inline
    if (!missing.isEmpty() && m_session->store()) {
        auto q = m_session->store()->exec(
            QStringLiteral("SELECT id, path FROM images WHERE id IN (%1)").arg(missing.join(QLatin1Char(','))));
        while (q && q->next())
            m_paths.insert(q->value(0).toLongLong(), q->value(1).toString());
    }
    for (size_t k = 0; k < g.members.size(); ++k) {
        const DuplicateReview::Member &m = g.members[k];
        const bool keeper = k == 0;
        auto *card = new QFrame(m_cards);
        card->setFrameShape(QFrame::StyledPanel);
        card->setObjectName(QStringLiteral("card%1").arg(m.id));
        auto *v = new QVBoxLayout(card);
        v->setContentsMargins(4, 4, 4, 4);
        v->setSpacing(2);
        auto *image = new QToolButton(card);
        image->setObjectName(QStringLiteral("thumb%1").arg(m.id));
        image->setAutoRaise(true);
        image->setIconSize(QSize(kThumbSide, kThumbSide));
        image->setFixedSize(kThumbSide + 8, kThumbSide + 8);
        image->setToolTip(QStringLiteral("Show #%1 in the browser").arg(m.id));
        const QPixmap pixmap = m_thumbs->thumbnail(m.id, m_paths.value(m.id));
        if (!pixmap.isNull())
            image->setIcon(QIcon(pixmap));
        connect(image, &QToolButton::clicked, this, [this, id = m.id]() { Q_EMIT sampleRequested(id); });
        auto *caption = new QLabel(QStringLiteral("#%1 · %2×%3\n%4").arg(m.id).arg(m.width).arg(m.height).arg(distanceText(g, m, keeper)), card);
        caption->setAlignment(Qt::AlignCenter);
        auto *button = new QPushButton(keeper ? (g.curatorKeeper ? QStringLiteral("Your keeper") : QStringLiteral("Keeper"))
                                              : QStringLiteral("Keep"),
                                       card);
        button->setObjectName(QStringLiteral("keep%1").arg(m.id));
        button->setEnabled(!keeper);
        button->setToolTip(keeper ? QString() : QStringLiteral("Keep #%1; the others become its duplicates, also on re-runs").arg(m.id));
        connect(button, &QPushButton::clicked, this, [this, id = m.id]() { keep(id); });
        v->addWidget(image, 0, Qt::AlignHCenter);
        v->addWidget(caption);
        v->addWidget(button);
        strip->addWidget(card);
    }
    strip->addStretch(1);
}

void DuplicatesView::refreshThumbnail(qint64 imageId)
{
    if (!m_cards)
        return;
    if (auto *image = m_cards->findChild<QToolButton *>(QStringLiteral("thumb%1").arg(imageId))) {
        const QPixmap pixmap = m_thumbs->thumbnail(imageId, m_paths.value(imageId));
        if (!pixmap.isNull())
            image->setIcon(QIcon(pixmap));
    }
}

void DuplicatesView::keep(qint64 imageId)
{
    const int row = m_groups->currentRow();
    if (row < 0 || size_t(row) >= m_outcome.groups.size())
        return;
    std::vector<qint64> group;
    for (const DuplicateReview::Member &m : m_outcome.groups[size_t(row)].members)
        group.push_back(m.id);
    m_focusId = imageId;
    m_session->chooseDuplicateKeeper(group, imageId);
}

} // namespace rs
