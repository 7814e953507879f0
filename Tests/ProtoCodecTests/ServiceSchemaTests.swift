import DiscountProto
import ProtoCodec
import TTRPC
import Testing

/// The services of proto/ are the five of DESIGN.md §1 and the README, each method with its
/// own `<Method>Request` and `<Method>Response`.
@Suite("Service schema")
struct ServiceSchemaTests {
    static let designMethods: [String: [String]] = [
        "discountd.v1.Health": ["Check"],
        "discountd.v1.Admin": [
            "ServerInfo", "Stats", "CreateProject", "CreateToken", "RevokeToken", "SetShopifyCredentials", "Backup",
        ],
        "discountd.v1.Commission": [
            "RegisterAgent", "GetActiveCampaigns", "GetMyDiscountCode", "CreateCampaign", "UpdateCampaign",
            "EndCampaign", "ListCampaigns", "RecordOrder", "GetMyCommissions",
        ],
        "discountd.v1.PriceRules": [
            "CreatePriceRule", "GetPriceRule", "ListPriceRules", "UpdatePriceRule", "DeletePriceRule",
            "CreateDiscountCode", "BatchCreateDiscountCodes", "GetDiscountCode", "ListDiscountCodes",
            "LookupDiscountCode", "UpdateDiscountCode", "DeleteDiscountCode", "ValidateDiscountCode",
            "RedeemDiscountCode", "RollbackRedemption",
        ],
        "discountd.v1.Vouchers": [
            "ListProjects", "ListVoucherPools", "GetVoucherPool", "ListVoucherCodes", "CreateVoucherPool",
            "DeleteVoucherPool", "AddVoucherCodes", "AssignVoucherCode", "RedeemVoucherCode", "ExportVoucherCodes",
        ],
    ]

    @Test func servicesAndMethodsAreDesignMD() {
        let services = ProtoServiceDescriptor.all
        #expect(Set(services.map(\.name)) == Set(Self.designMethods.keys))
        for service in services {
            #expect(service.methods.map(\.name) == Self.designMethods[service.name], "\(service.name)")
            #expect(!service.documentation.isEmpty, "\(service.name) has no comment")
        }
    }

    @Test func eachMethodHasItsOwnRequestAndResponse() {
        for service in ProtoServiceDescriptor.all {
            for method in service.methods {
                // Health.Check keeps the grpc.health names: HealthCheckRequest.
                let stem = service.name == "discountd.v1.Health" ? "Health\(method.name)" : method.name
                #expect(method.service == service.name)
                #expect(method.requestType.protoName == "discountd.v1.\(stem)Request")
                #expect(method.responseType.protoName == "discountd.v1.\(stem)Response")
                #expect(!method.documentation.isEmpty, "\(service.name).\(method.name) has no comment")
            }
        }
    }

    @Test func streamingMethods() {
        let streaming = ProtoServiceDescriptor.all.flatMap(\.methods).filter(\.serverStreaming).map(\.name)
        #expect(Set(streaming) == ["BatchCreateDiscountCodes", "AddVoucherCodes", "ExportVoucherCodes"])
    }

    @Test func fixedNames() {
        let check = ProtoServiceDescriptor.health.method(named: "Check")
        #expect(check?.requestType == HealthCheckRequest.self)
        #expect(check?.responseType == HealthCheckResponse.self)
        #expect(ProtoServiceDescriptor.admin.method(named: "ServerInfo")?.responseType == ServerInfoResponse.self)
        #expect(ProtoServiceDescriptor.admin.method(named: "Nope") == nil)
        #expect(ErrorDetail.protoName == "discountd.v1.ErrorDetail")
        #expect(PriceRulesRPC.createDiscountCode.service == "discountd.v1.PriceRules")
        #expect(PriceRulesRPC.createDiscountCode.name == "CreateDiscountCode")
        #expect(!PriceRulesRPC.createDiscountCode.serverStreaming)
        #expect(PriceRulesRPC.batchCreateDiscountCodes.serverStreaming)
        #expect(TTRPCRequest.protoName == "ttrpc.Request")
        #expect(RPCStatus.protoName == "google.rpc.Status")
    }
}
