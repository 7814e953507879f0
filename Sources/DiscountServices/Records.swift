import DiscountCore
import ProtoCodec

// The domain and the wire both have a `PriceRule`, `DiscountCode` and
// `Project`; inside the services the names say which is which.
typealias PriceRuleRecord = DiscountCore.PriceRule
typealias DiscountCodeRecord = DiscountCore.DiscountCode
typealias ProjectRecord = DiscountCore.Project
typealias PriceRuleMessage = ProtoCodec.PriceRule
typealias DiscountCodeMessage = ProtoCodec.DiscountCode
typealias ProjectMessage = ProtoCodec.Project
