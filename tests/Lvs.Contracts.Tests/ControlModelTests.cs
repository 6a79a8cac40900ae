using System.Text.Json;

namespace Lvs.Contracts.Tests;

public class ControlModelTests
{
    [Fact]
    public void Request_RoundTripsThroughJson()
    {
        var request = new ControlRequest
        {
            Command = Commands.AddServer,
            Service = new ServiceKey("tcp", "192.0.2.10", 80),
            Server = new RealServerSpec("10.0.0.11", 8080, "masq", 3),
        };

        string json = JsonSerializer.Serialize(request, ControlJsonContext.Default.ControlRequest);
        ControlRequest? back = JsonSerializer.Deserialize(json, ControlJsonContext.Default.ControlRequest);

        Assert.Equal(request, back);
        Assert.DoesNotContain("options", json); // nulls are omitted
    }

    [Fact]
    public void Response_ErrorIsWrittenByName()
    {
        string json = JsonSerializer.Serialize(
            ControlResponse.Fail(ControlError.DestinationExists, "x"), ControlJsonContext.Default.ControlResponse);
        Assert.Contains("\"DestinationExists\"", json);
        Assert.Equal(ControlError.DestinationExists, JsonSerializer.Deserialize(json, ControlJsonContext.Default.ControlResponse)!.Error);
    }

    [Fact]
    public void Response_StatusRoundTrips()
    {
        var status = new StatusSnapshot("1.2.1", 4096, 3,
        [
            new ServiceStatus(new ServiceKey("tcp", "192.0.2.10", 80), "wrr", new TrafficStats(1, 2, 3, 4, 5),
                [new RealServerStatus("10.0.0.11", 80, "masq", 1, 2, 3, new TrafficStats(6, 7, 8, 9, 10))]),
        ]);
        string json = JsonSerializer.Serialize(ControlResponse.Success() with { Status = status }, ControlJsonContext.Default.ControlResponse);
        StatusSnapshot back = JsonSerializer.Deserialize(json, ControlJsonContext.Default.ControlResponse)!.Status!;
        Assert.Equal(status.Services[0].Servers[0], back.Services[0].Servers[0]);
        Assert.Equal(status.Services[0].Stats, back.Services[0].Stats);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("[1,2]")]
    [InlineData("{\"command\":5}")]
    public void Request_Garbage_ThrowsJsonExceptionOnly(string text)
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(text, ControlJsonContext.Default.ControlRequest));
    }

    [Fact]
    public void Resolve_ExplicitThenEnvironmentThenDefault()
    {
        string? saved = Environment.GetEnvironmentVariable(ControlSocket.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(ControlSocket.EnvironmentVariable, "/tmp/env.sock");
            Assert.Equal("/tmp/x.sock", ControlSocket.Resolve("/tmp/x.sock"));
            Assert.Equal("/tmp/env.sock", ControlSocket.Resolve(null));
            Environment.SetEnvironmentVariable(ControlSocket.EnvironmentVariable, null);
            Assert.Equal(ControlSocket.DefaultPath, ControlSocket.Resolve(null));
        }
        finally
        {
            Environment.SetEnvironmentVariable(ControlSocket.EnvironmentVariable, saved);
        }
    }
}
