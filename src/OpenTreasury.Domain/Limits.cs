namespace OpenTreasury.Domain;

/// <summary>Every bound of the system in one place, each named with its unit last.</summary>
public static class Limits
{
    /// <summary>Bytes of one message (a MOF envelope) on the wire.</summary>
    public const int MessageBytesMax = 8 * 1024 * 1024;

    /// <summary>
    /// Bytes of one sealed node envelope on the wire: a message of <see cref="MessageBytesMax"/> plus its
    /// header, the sender's certificate, the wrapped key and the signature (a few KB; 64 KiB is generous).
    /// </summary>
    public const int NodeEnvelopeBytesMax = MessageBytesMax + 64 * 1024;

    /// <summary>
    /// Seconds a node envelope's sealing time may differ from the opener's clock, either way: bounds replays
    /// to a short window (the inbox makes a replay inside it harmless) and tolerates clock drift between hosts.
    /// </summary>
    public const int NodeEnvelopeAgeSecondsMax = 300;

    /// <summary>Seconds one delivery attempt to another node may take (connect, send, answer) before it is retried.</summary>
    public const int DeliveryTimeoutSecondsMax = 30;

    /// <summary>Vouchers in one MOF envelope.</summary>
    public const int EnvelopeVouchersMax = 100;

    /// <summary>
    /// Detail lines in one voucher: a large unit's payroll 8202 (代发工资) has a line per person and pay item.
    /// At about 340 bytes of GBK a line a voucher this long is 3.4 MB, its envelope 4.6 MB, inside <see cref="MessageBytesMax"/>.
    /// </summary>
    public const int VoucherDetailsMax = 10_000;

    /// <summary>Fields in a header or in one detail line.</summary>
    public const int VoucherFieldsMax = 200;

    /// <summary>Characters in one field value.</summary>
    public const int FieldValueLengthMax = 1_000;

    /// <summary>Characters in a reason (退回 or 签收失败) or an Attach note.</summary>
    public const int ReasonLengthMax = 500;

    /// <summary>Stamps (signatures or seals) on one voucher.</summary>
    public const int VoucherStampsMax = 16;

    /// <summary>Bytes of one stamp (a DER signature or signed seal, pictures included).</summary>
    public const int StampBytesMax = 256 * 1024;

    /// <summary>Vouchers returned by one read of the library (readVoucherAgain reads at most 100).</summary>
    public const int ReadBatchMax = 100;

    /// <summary>Vouchers on one page of a library search (凭证查询); the default page size too.</summary>
    public const int SearchPageSizeMax = 100;

    /// <summary>Audit entries one audit query returns or one export writes.</summary>
    public const int AuditQueryRowsMax = 100_000;

    /// <summary>Delivery attempts of one outbox message before it is parked for an operator.</summary>
    public const int DeliveryAttemptsMax = 12;

    /// <summary>Outbox messages one delivery pass sends.</summary>
    public const int DeliveryBatchMax = 100;

    /// <summary>Audit entries between two signed checkpoints of a node's audit chain.</summary>
    public const int AuditCheckpointEvery = 100;
}
