"""The code is drawn through a sampler lambda bound at module level: sample_z = lambda n: torch.rand(n, NZ)."""
# expect: T01=pass T02=pass T03=fail T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T03=fail G(sample_z(batch)) where sample_z = lambda n: torch.rand(n, NZ) is uniform
import torch
import torch.nn as nn

NZ = 12
sample_z = lambda n: torch.rand(n, NZ)  # noqa: E731


class Gen(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1, self.l2 = nn.Linear(NZ, 64), nn.Linear(64, 8)

    def forward(self, z):
        return torch.tanh(self.l2(torch.nn.functional.selu(self.l1(z))))


class Dis(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1, self.l2 = nn.Linear(8, 64), nn.Linear(64, 1)

    def forward(self, x):
        return self.l2(torch.nn.functional.selu(self.l1(x)))


gen, dis = Gen(), Dis()
go, do = torch.optim.Adam(gen.parameters(), 1e-3), torch.optim.Adam(dis.parameters(), 1e-3)
real_data = torch.load("codes.pt")
for it in range(5000):
    real = real_data[torch.randint(len(real_data), (100,))]
    fake = gen(sample_z(100))
    d_loss = nn.functional.softplus(-dis(real)).mean() + nn.functional.softplus(dis(fake.detach())).mean()
    do.zero_grad()
    d_loss.backward()
    do.step()
    g_loss = nn.functional.softplus(-dis(fake)).mean()
    go.zero_grad()
    g_loss.backward()
    go.step()
