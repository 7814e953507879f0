import ArgumentParser

@main
struct Discountctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discountctl",
        abstract: "Talk to discountd over its Unix socket.",
        version: "0.1.0",
        subcommands: [
            HealthCommand.self, ServerInfoCommand.self,
            // discountd.v1.PriceRules
            CreatePriceRuleCommand.self, GetPriceRuleCommand.self, ListPriceRulesCommand.self,
            UpdatePriceRuleCommand.self, DeletePriceRuleCommand.self,
            CreateDiscountCodeCommand.self, BatchCreateDiscountCodesCommand.self, GetDiscountCodeCommand.self,
            ListDiscountCodesCommand.self, LookupDiscountCodeCommand.self, UpdateDiscountCodeCommand.self,
            DeleteDiscountCodeCommand.self,
            ValidateDiscountCodeCommand.self, RedeemDiscountCodeCommand.self, RollbackRedemptionCommand.self,
            // discountd.v1.Vouchers
            ListProjectsCommand.self, ListVoucherPoolsCommand.self, GetVoucherPoolCommand.self,
            ListVoucherCodesCommand.self, CreateVoucherPoolCommand.self, DeleteVoucherPoolCommand.self,
            AddVoucherCodesCommand.self, AssignVoucherCodeCommand.self, RedeemVoucherCodeCommand.self,
            ExportVoucherCodesCommand.self,
            // discountd.v1.Commission
            RegisterAgentCommand.self, GetActiveCampaignsCommand.self, GetMyDiscountCodeCommand.self,
            CreateCampaignCommand.self, UpdateCampaignCommand.self, EndCampaignCommand.self, ListCampaignsCommand.self,
            RecordOrderCommand.self, GetMyCommissionsCommand.self,
            // discountd.v1.Admin
            CreateProjectCommand.self, CreateTokenCommand.self, RevokeTokenCommand.self, StatsCommand.self,
            SetShopifyCredentialsCommand.self, BackupCommand.self,
            // Model Context Protocol bridge for agents
            MCPCommand.self,
            BenchCommand.self,
        ])
}
