package workflows

import "go.temporal.io/sdk/workflow"

// Registrar is what a worker offers for registering workflows.
type Registrar interface {
	RegisterWorkflowWithOptions(w interface{}, options workflow.RegisterOptions)
}

// Register registers every workflow under its constant name.
func Register(r Registrar) {
	r.RegisterWorkflowWithOptions(Ping, workflow.RegisterOptions{Name: PingWorkflowName})
	r.RegisterWorkflowWithOptions(Quote, workflow.RegisterOptions{Name: QuoteWorkflowName})
	r.RegisterWorkflowWithOptions(Order, workflow.RegisterOptions{Name: OrderWorkflowName})
	r.RegisterWorkflowWithOptions(Resend, workflow.RegisterOptions{Name: ResendWorkflowName})
	r.RegisterWorkflowWithOptions(Allocator, workflow.RegisterOptions{Name: AllocatorWorkflowName})
	r.RegisterWorkflowWithOptions(BackorderSweep, workflow.RegisterOptions{Name: BackorderSweepName})
	r.RegisterWorkflowWithOptions(BackorderSweepPass, workflow.RegisterOptions{Name: BackorderSweepPassName})
	r.RegisterWorkflowWithOptions(PurgeExpired, workflow.RegisterOptions{Name: PurgeExpiredName})
	r.RegisterWorkflowWithOptions(StartWaitingQuotes, workflow.RegisterOptions{Name: StartWaitingQuotesName})
	r.RegisterWorkflowWithOptions(KPISnapshots, workflow.RegisterOptions{Name: KPISnapshotsName})
	r.RegisterWorkflowWithOptions(Ticket, workflow.RegisterOptions{Name: TicketWorkflowName})
	r.RegisterWorkflowWithOptions(Campaign, workflow.RegisterOptions{Name: CampaignWorkflowName})
}
