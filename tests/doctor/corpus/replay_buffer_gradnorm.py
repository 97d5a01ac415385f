"""CycleGAN-style image pool of past fakes, plus gradient-norm logging."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=absent T07=absent T08=pass T09=pass
# expect: T10=pass T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
import random

import torch
import torch.nn as nn


class ImagePool:
    def __init__(self, size=50):
        self.size, self.images = size, []

    def query(self, batch):
        out = []
        for img in batch:
            if len(self.images) < self.size:
                self.images.append(img)
                out.append(img)
            elif random.random() < 0.5:
                i = random.randrange(self.size)
                out.append(self.images[i].clone())
                self.images[i] = img
            else:
                out.append(img)
        return torch.stack(out)


G = nn.Sequential(nn.Linear(16, 64), nn.LeakyReLU(0.2), nn.Linear(64, 8), nn.Tanh())
D = nn.Sequential(nn.Linear(8, 64), nn.LeakyReLU(0.2), nn.Linear(64, 1))
fake_pool = ImagePool()
opt_G, opt_D = torch.optim.Adam(G.parameters(), 2e-4), torch.optim.Adam(D.parameters(), 2e-4)
adv = nn.BCEWithLogitsLoss()


def grad_norm(module):
    return torch.sqrt(sum((p.grad.detach() ** 2).sum() for p in module.parameters() if p.grad is not None))


for step, real in enumerate(torch.load("codes.pt")):
    fake = G(torch.randn(real.size(0), 16))
    past = fake_pool.query(fake.detach())
    loss_D = adv(D(real), torch.ones(real.size(0), 1)) + adv(D(past), torch.zeros(real.size(0), 1))
    opt_D.zero_grad(); loss_D.backward()
    print(step, "grad norm D", grad_norm(D).item())
    opt_D.step()
    loss_G = adv(D(fake), torch.ones(real.size(0), 1))
    opt_G.zero_grad(); loss_G.backward(); opt_G.step()
