using System.Net;
using System.Text;
using Microsoft.Data.Sqlite;

namespace OpenTreasury.Server.Tests;

/// <summary>A voucher altered in the store behind the library's back is shown, exported, printed and acted on nowhere over HTTP.</summary>
public sealed class TamperedOverHttpTests : IAsyncLifetime
{
    private ServedNetwork _net = null!;

    public async Task InitializeAsync() => _net = await ServedNetwork.StartAsync();

    public async Task DisposeAsync() => await _net.DisposeAsync();

    [Fact]
    public async Task An_altered_voucher_is_refused_as_Tampered_by_show_export_and_print()
    {
        using var clerk = await _net.LoginAsync(_net.Finance, _net.Network.Finance, ServedNetwork.UnitClerk);
        var id = _net.Network.Finance.Library.Versions("8202", "ZF-A-1").Single().Id;
        using (var before = await clerk.GetAsync($"vouchers/{id}"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        using (var db = new SqliteConnection($"Data Source={Path.Combine(_net.Directory, "finance", "library.db")};Pooling=False"))
        {
            db.Open();
            using var read = db.CreateCommand();
            read.CommandText = $"SELECT inner_xml FROM vouchers WHERE id = {id}";
            var text = Encoding.Latin1.GetString((byte[])read.ExecuteScalar()!);
            using var write = db.CreateCommand();
            write.CommandText = $"UPDATE vouchers SET inner_xml = $b WHERE id = {id}";
            write.Parameters.AddWithValue("$b", Encoding.Latin1.GetBytes(text.Replace("1234.50", "9234.50", StringComparison.Ordinal)));
            Assert.Equal(1, write.ExecuteNonQuery());
        }

        foreach (var path in new[] { $"vouchers/{id}", $"vouchers/{id}/mof", $"vouchers/{id}/pdf" })
        {
            using var response = await clerk.GetAsync(path);
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            var problem = await Json.ReadAsync(response);
            Assert.Equal("Tampered", problem.GetProperty("code").GetString());
            Assert.Equal(19, problem.GetProperty("codeNumber").GetInt32());
            Assert.Contains("do not match their SM3 digest", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }
}
