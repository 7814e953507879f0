import DiscountCore
import DiscountProto

// The domain and the wire both have a `Campaign`; inside the services the names say which is which.
typealias CampaignRecord = DiscountCore.Campaign
typealias CampaignMessage = DiscountProto.Campaign
