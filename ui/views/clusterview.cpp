#include "ui/views/clusterview.h"

#include "core/sample/balancer.h"
#include "core/sample/sampledecisions.h"
#include "core/sample/samplestage.h"
#include "core/store/recipe.h"
#include "ui/models/projectsession.h"
#include "ui/plots/clusterplot.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLocale>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QStackedWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>

namespace rs {

namespace {

// Gini / entropy through the core's own statistics, from sizes.
ClusterStats statsOf(const std::vector<qint64> &sizes)
{
    std::vector<int> assignment;
    qint64 total = 0;
    for (qint64 n : sizes)
        total += n;
    assignment.reserve(size_t(total));
    for (size_t c = 0; c < sizes.size(); ++c)
        assignment.insert(assignment.end(), size_t(sizes[c]), int(c));
    return clusterStats(assignment, int(sizes.size()));
}

} // namespace

ClusterView::ClusterView(ProjectSession *session, QWidget *parent) : QWidget(parent), m_session(session)
{
    m_plot = new ClusterPlot(this);
    m_plot->setToolTip(QStringLiteral("Grey: cluster sizes before sampling; blue: after; red line: the cap. Click a cluster to browse it."));
    const SettingDef *capDef = Recipe::find(QStringLiteral("sample.cap"));
    m_cap = new QSpinBox(this);
    // The recipe's own range, so the box can never show a cap it would refuse.
    m_cap->setRange(int(capDef->min), int(std::min<double>(capDef->max, std::numeric_limits<int>::max())));
    m_cap->setKeyboardTracking(false);
    m_cap->setPrefix(QStringLiteral("cap "));
    m_cap->setToolTip(QStringLiteral("%1\nsample.cap — default: %2").arg(capDef->meaning, capDef->defaultValue));
    m_log = new QCheckBox(QStringLiteral("Log scale"), this);
    m_log->setToolTip(QStringLiteral("Logarithmic size axis: the long tail of small clusters becomes visible"));
    m_figures = new QLabel(this);
    m_figures->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_figures->setWordWrap(true); // one long line of figures must not widen the window
    m_empty = new QLabel(QStringLiteral("No clusters yet: run the pipeline through the sample stage to see the balance."), this);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setStyleSheet(QStringLiteral("color:#777"));
    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_plot);
    m_stack->addWidget(m_empty);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_figures, 1);
    bar->addWidget(m_cap);
    bar->addWidget(m_log);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(bar);
    layout->addWidget(m_stack, 1);

    connect(m_plot, &ClusterPlot::clusterClicked, this, &ClusterView::clusterClicked);
    connect(m_log, &QCheckBox::toggled, this, [this](bool on) {
        m_plot->setLogScale(on);
        updateAfter();
    });
    connect(m_cap, &QSpinBox::valueChanged, this, [this](int cap) {
        if (m_session->isOpen() && QString::number(cap) != m_session->previewRecipe().text(QStringLiteral("sample.cap"))) {
            // An undoable step, like every curator change.
            if (Status applied = m_session->changeSetting(QStringLiteral("sample.cap"), QString::number(cap)); !applied) {
                // Refused: show the cap in force and say why, never a value that is not applied.
                const QSignalBlocker block(m_cap);
                m_cap->setValue(int(m_session->previewRecipe().intValue(QStringLiteral("sample.cap"))));
                m_cap->setToolTip(applied.error().message);
            }
        }
        updateAfter();
    });
    connect(m_session, &ProjectSession::liveChanged, this, &ClusterView::reload);
    connect(m_session, &ProjectSession::opened, this, &ClusterView::reload);
    connect(m_session, &ProjectSession::closed, this, &ClusterView::reload);
    connect(m_session, &ProjectSession::preview, this, [this](const QString &key) {
        if (key.startsWith(QLatin1String("sample."))) {
            const QSignalBlocker block(m_cap);
            m_cap->setValue(int(m_session->previewRecipe().intValue(QStringLiteral("sample.cap"))));
            updateAfter();
        }
    });
    reload();
}

void ClusterView::reload()
{
    m_before.clear();
    if (m_session->isOpen()) {
        const QJsonObject stats = SampleStage::storedStats(*m_session->store());
        for (const QJsonValue &v : stats.value(QStringLiteral("sizes_before")).toArray())
            m_before.push_back(v.toInteger());
        m_method = stats.value(QStringLiteral("method")).toString();
        const QSignalBlocker block(m_cap);
        m_cap->setValue(int(m_session->previewRecipe().intValue(QStringLiteral("sample.cap"))));
    }
    m_stack->setCurrentIndex(m_before.empty() ? 1 : 0);
    updateAfter();
}

void ClusterView::updateAfter()
{
    if (m_before.empty()) {
        m_figures->setText(QString());
        return;
    }
    const Recipe &recipe = m_session->previewRecipe();
    // The band does not matter here: only the cap's settings are used.
    const SampleSettings settings = SampleSettings::fromRecipe(recipe, /*clipFamily=*/false);
    std::vector<qint64> after(m_before.size());
    for (size_t c = 0; c < m_before.size(); ++c)
        after[c] = qint64(keptOfCluster(m_before[c], settings));
    m_plot->setSizes(m_before, after);
    m_plot->setCap(settings.metaclip ? settings.t : double(settings.cap));
    const ClusterStats b = statsOf(m_before), a = statsOf(after);
    const QLocale loc;
    m_figures->setText(QStringLiteral("%1 clusters · before: %2 images, Gini %3, entropy %4 bits · after: %5 images, Gini %6, entropy %7 bits%8")
                           .arg(b.clusters)
                           .arg(loc.toString(b.count))
                           .arg(b.gini, 0, 'f', 3)
                           .arg(b.entropy, 0, 'f', 2)
                           .arg(loc.toString(a.count))
                           .arg(a.gini, 0, 'f', 3)
                           .arg(a.entropy, 0, 'f', 2)
                           .arg(settings.metaclip ? QStringLiteral(" (MetaCLIP t: expected)") : QString()));
}

} // namespace rs
