import DiscountCore
import ProtoCodec

// The domain and the wire both have a `Campaign`; inside the services the names say which is which.
typealias CampaignRecord = DiscountCore.Campaign
typealias CampaignMessage = ProtoCodec.Campaign
