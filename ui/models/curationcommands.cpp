#include "ui/models/curationcommands.h"

#include "ui/models/settinglabel.h"
#include "ui/models/projectsession.h"

namespace rs {

namespace {

QString elided(const QString &text)
{
    const QString oneLine = text.simplified();
    return oneLine.size() > 40 ? oneLine.left(39) + QChar(0x2026) : oneLine;
}

} // namespace

SettingCommand::SettingCommand(ProjectSession *session, const QString &key, const QString &before, const QString &after, bool mergeable)
    : m_session(session), m_key(key), m_before(before), m_after(after), m_mergeable(mergeable)
{
    m_lastChange.start();
    updateText();
}

void SettingCommand::updateText()
{
    setText(m_mergeable ? QStringLiteral("%1: %2 → %3").arg(settingLabel(m_key), m_before, m_after)
                        : QStringLiteral("Reset %1 to %2").arg(settingLabel(m_key), m_after));
}

void SettingCommand::redo()
{
    // Values were validated when the command was made; a failure here would
    // be a changed definition, and previewSetting() leaves the recipe as is.
    (void)m_session->previewSetting(m_key, m_after);
}

void SettingCommand::undo()
{
    (void)m_session->previewSetting(m_key, m_before);
}

bool SettingCommand::mergeWith(const QUndoCommand *other)
{
    const auto *next = static_cast<const SettingCommand *>(other);
    if (next->m_key != m_key || m_lastChange.elapsed() > kMergeMs)
        return false;
    m_after = next->m_after;
    m_lastChange.start();
    updateText();
    // Dragged back to where it started: nothing left to undo.
    setObsolete(m_after == m_before);
    return true;
}

DecisionCommand::DecisionCommand(ProjectSession *session, QVector<std::pair<qint64, QString>> before, const QString &after)
    : m_session(session), m_before(std::move(before)), m_after(after)
{
    const QString verb = after == QLatin1String("accept")   ? QStringLiteral("Accept")
                         : after == QLatin1String("reject") ? QStringLiteral("Reject")
                                                            : QStringLiteral("Clear decision of");
    setText(m_before.size() == 1 ? QStringLiteral("%1 #%2").arg(verb).arg(m_before.front().first)
                                 : QStringLiteral("%1 %2 images").arg(verb).arg(m_before.size()));
}

void DecisionCommand::redo()
{
    QVector<std::pair<qint64, QString>> all;
    all.reserve(m_before.size());
    for (const auto &entry : std::as_const(m_before))
        all.push_back({entry.first, m_after});
    m_session->writeDecisions(all);
    // Not on the first redo (the push): the curator is where they want to be.
    if (m_pushed && m_before.size() == 1)
        Q_EMIT m_session->sampleRequested(m_before.front().first);
    m_pushed = true;
}

void DecisionCommand::undo()
{
    m_session->writeDecisions(m_before);
    if (m_before.size() == 1)
        Q_EMIT m_session->sampleRequested(m_before.front().first);
}

TextEditCommand::TextEditCommand(ProjectSession *session, qint64 imageId, const QString &before, const QString &after)
    : m_session(session), m_id(imageId), m_before(before), m_after(after)
{
    setText(after.isEmpty() ? QStringLiteral("Restore generated text of #%1").arg(imageId)
                            : QStringLiteral("Edit text of #%1: “%2”").arg(imageId).arg(elided(after)));
}

void TextEditCommand::redo()
{
    m_session->writeEditedText(m_id, m_after);
    if (m_pushed)
        Q_EMIT m_session->sampleRequested(m_id);
    m_pushed = true;
}

void TextEditCommand::undo()
{
    m_session->writeEditedText(m_id, m_before);
    Q_EMIT m_session->sampleRequested(m_id);
}

KeeperCommand::KeeperCommand(ProjectSession *session, qint64 keeper, std::vector<std::pair<qint64, bool>> before,
                             std::vector<std::pair<qint64, bool>> after)
    : m_session(session), m_before(std::move(before)), m_after(std::move(after))
{
    setText(QStringLiteral("Keep #%1 of %2 near duplicates").arg(keeper).arg(m_after.size()));
}

void KeeperCommand::redo()
{
    m_session->writeDuplicateKeepers(m_after);
}

void KeeperCommand::undo()
{
    m_session->writeDuplicateKeepers(m_before);
}

} // namespace rs
