import DiscountProto
import Foundation
import ProtoCodec
import TTRPC
import Testing

/// Encodable output: proto field names, absent optionals left out, enums as
/// lower_snake names, bytes as base64, timestamps as RFC 3339.
@Suite("JSON encoding")
struct JSONEncodingTests {
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test func snakeCaseKeysAndOmittedOptionals() throws {
        let response = GetMyDiscountCodeResponse(discountCodes: [
            AgentDiscountCode(
                discountCode: "CC-ACME-7KQX", discountPercent: 10, campaignName: "Spring", campaignId: 3,
                isActive: true, shopifySyncStatus: "skipped_no_credentials",
                shopifySyncError: "missing_shopify_credentials")
        ])
        #expect(
            try Self.json(response)
                == #"{"discount_codes":[{"campaign_id":3,"campaign_name":"Spring","discount_code":"CC-ACME-7KQX","#
                + #""discount_percent":10,"is_active":true,"shopify_sync_error":"missing_shopify_credentials","#
                + #""shopify_sync_status":"skipped_no_credentials"}]}"#)
    }

    @Test func presentOptionalZeroIsShown() throws {
        #expect(try Self.json(GetMyDiscountCodeRequest(agentId: 7, campaignId: 0)) == #"{"agent_id":7,"campaign_id":0}"#)
        #expect(try Self.json(GetMyDiscountCodeRequest(agentId: 7)) == #"{"agent_id":7}"#)
    }

    @Test func enumsAsNames() throws {
        #expect(try Self.json(HealthCheckResponse(status: .notServing)) == #"{"status":"not_serving"}"#)
        #expect(try Self.json(HealthCheckResponse(status: .unrecognized(42))) == #"{"status":42}"#)
        #expect(try Self.json(ListVoucherCodesRequest(status: .available)).contains(#""status":"available""#))
    }

    @Test func bytesAsBase64() throws {
        let json = try Self.json(TTRPCResponse(payload: [0xFF, 0x00, 0x01]))
        #expect(json == #"{"payload":"/wAB"}"#)
    }

    @Test func timestampsAsRFC3339() throws {
        let info = ServerInfoResponse(
            version: "1.0", uptimeSeconds: 1.5, backend: "sqlite", socket: "/run/d.sock",
            startedAt: ProtoTimestamp(seconds: 1_714_564_800, nanos: 250_000_000))
        #expect(
            try Self.json(info)
                == #"{"backend":"sqlite","socket":"/run/d.sock","started_at":"2024-05-01T12:00:00.250Z","#
                + #""uptime_seconds":1.5,"version":"1.0"}"#)
    }

    @Test func anyAsTypeAndBase64() throws {
        let any = ProtoAny(packing: ErrorDetail(reason: "R"))
        #expect(try Self.json(any) == #"{"@type":"type.googleapis.com/discountd.v1.ErrorDetail","value":"CgFS"}"#)
    }

    @Test func emptyMessageIsAnEmptyObject() throws {
        #expect(try Self.json(HealthCheckRequest()) == "{}")
    }
}
