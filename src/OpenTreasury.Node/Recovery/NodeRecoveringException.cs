namespace OpenTreasury.Node.Recovery;

/// <summary>
/// A business operation asked of a node that was restored from a backup and has not recovered yet (ADR 0016): until
/// its peers have given back what it lost since the backup, it could pay twice or give a number twice, so it does
/// nothing but take deliveries. Every face (CLI, API, desk, worker) shows it as one line with the code <c>NodeRecovering</c>.
/// </summary>
public sealed class NodeRecoveringException(string party, string backupTakenAt)
    : InvalidOperationException($"节点 {party} 已从备份（{backupTakenAt}）恢复，正在等待对端节点交回备份之后的消息，恢复完成前不办理业务（treasury node status 显示进度）")
{
    public string Party => party;

    public string BackupTakenAt => backupTakenAt;
}
