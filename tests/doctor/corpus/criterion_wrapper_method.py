"""A wrapper method builds the targets from a flag; G negates D's fake-side loss (minimax in disguise)."""
# expect: T01=pass T02=fail T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T02=fail g_loss = -self.adversarial(D(fake), is_real=False) = log(1 - D(G(z))), the saturating loss
import torch
import torch.nn as nn


class Model:
    def __init__(self, nz=32, nx=2):
        self.nz = nz
        self.G = nn.Sequential(nn.Linear(nz, 64), nn.ELU(), nn.Linear(64, nx), nn.Tanh())
        self.D = nn.Sequential(nn.Linear(nx, 64), nn.ELU(), nn.Linear(64, 1))
        self.criterion = nn.BCEWithLogitsLoss()
        self.opt_G = torch.optim.Adam(self.G.parameters(), lr=1e-3)
        self.opt_D = torch.optim.Adam(self.D.parameters(), lr=1e-3)

    def adversarial(self, pred, is_real):
        target = torch.ones_like(pred) if is_real else torch.zeros_like(pred)
        return self.criterion(pred, target)

    def update(self, real):
        z = torch.randn(real.size(0), self.nz)
        fake = self.G(z)
        d_loss = self.adversarial(self.D(real), True) + self.adversarial(self.D(fake.detach()), False)
        self.opt_D.zero_grad()
        d_loss.backward()
        self.opt_D.step()
        g_loss = -self.adversarial(self.D(fake), is_real=False)
        self.opt_G.zero_grad()
        g_loss.backward()
        self.opt_G.step()
        return d_loss.item(), g_loss.item()


model = Model()
points = torch.load("moons.pt")
for step in range(20000):
    model.update(points[torch.randint(0, len(points), (256,))])
