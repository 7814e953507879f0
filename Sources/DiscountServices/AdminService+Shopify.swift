import DiscountCore
import DiscountProto
import DiscountStore
import Foundation
import ProtoCodec

extension AdminService {
    /// Admin.SetShopifyCredentials: stores a project's Shopify Admin API
    /// credentials, then sends every unsynced code of the project again.
    static func registerShopify(in registrar: inout MethodRegistrar, commission: CommissionBook) {
        registrar.write(AdminRPC.setShopifyCredentials, scope: .admin) { (request: SetShopifyCredentialsRequest, call) in
            let projectID = request.projectId.isEmpty ? call.projectID : request.projectId
            try requireReach(call.principal, projectID: projectID)
            let shop = try Validate.nonEmpty(request.shopDomain, field: "shop_domain").lowercased()
            guard !shop.contains("/"), !shop.contains(" ") else {
                throw ServiceError.invalidArgument(
                    field: "shop_domain", "shop_domain must be a host name like acme.myshopify.com")
            }
            let token = try Validate.nonEmpty(request.accessToken, field: "access_token", max: 1024)
            let credentials = ShopifyCredentials(
                projectID: projectID, shopDomain: shop, accessToken: token,
                grantedScopes: request.grantedScopes.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
                updatedAt: .now())
            let respond: @Sendable (Int64) -> SetShopifyCredentialsResponse = { _ in
                SetShopifyCredentialsResponse(
                    projectId: projectID, shopDomain: shop, grantedScopes: credentials.grantedScopes,
                    updatedAt: credentials.updatedAt.timestamp)
            }
            do {
                try await commission.setShopifyCredentials(credentials, options: call.write(answering: respond))
            } catch let error as DiscountStore.StoreError {
                if case .failure(let message) = error, message.contains("does not exist") {
                    throw ServiceError.projectNotFound(projectID)
                }
                throw error
            }
            return respond(0)
        }
    }
}
