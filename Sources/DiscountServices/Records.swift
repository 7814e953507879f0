import DiscountCore
import DiscountProto

// The domain and the wire both have a `PriceRule`, `DiscountCode` and
// `Project`; inside the services the names say which is which.
typealias PriceRuleRecord = DiscountCore.PriceRule
typealias DiscountCodeRecord = DiscountCore.DiscountCode
typealias ProjectRecord = DiscountCore.Project
typealias PriceRuleMessage = DiscountProto.PriceRule
typealias DiscountCodeMessage = DiscountProto.DiscountCode
typealias ProjectMessage = DiscountProto.Project
